import Foundation
import Hummingbird
import RegistryAnalytics
import RegistryCore
import RegistryStore

extension RegistryServices {
    /// GET /api/v1/reports/outcomes: the outcome report over the filtered courses.
    var reportRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("reports/outcomes") { request, context in
            let principal = try context.require(.runReports)
            let filter = try ReportFilter.parse(siteId: request.query("siteId"), clinicianId: request.query("clinicianId"),
                                                from: request.query("from"), to: request.query("to"),
                                                injectate: request.query("injectate"), side: request.query("side"), source: request.query("source"))
            // Managers see their own sites' outcomes; researchers the whole registry, aggregated.
            let report = try await repositories.reports.outcomes(rules: config.clinical, filter: filter, scope: principal.siteScope, followUp: followUpToday(),
                                                                 by: principal.actor("GET /api/v1/reports/outcomes"))
            return JSONResponse.make(status: .ok, report)
        }
        return api
    }

    /// The follow-up schedule's rules and today, for the report's completeness figures.
    func followUpToday() -> (rules: RegistryConfig.FollowUp, today: CalendarDate) { (config.followUp, config.today(now: now())) }
}
