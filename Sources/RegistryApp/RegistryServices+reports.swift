import Foundation
import Hummingbird
import RegistryAnalytics
import RegistryCore
import RegistryStore

extension RegistryServices {
    /// GET /api/v1/reports/outcomes: the outcome report over the filtered courses.
    func addReportRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("reports/outcomes") { request, _ in
            let filter = try ReportFilter.parse(siteId: request.query("siteId"), clinicianId: request.query("clinicianId"),
                                                from: request.query("from"), to: request.query("to"),
                                                injectate: request.query("injectate"), side: request.query("side"))
            let report = try await outcomeReport(filter, actor: Actor(userId: nil, label: "api", route: "GET /api/v1/reports/outcomes"))
            return JSONResponse.make(status: .ok, report)
        }
    }

    /// Runs the report in one read-only transaction (one consistent snapshot) and audits the run.
    func outcomeReport(_ filter: ReportFilter, actor: Actor) async throws -> OutcomeReport {
        try await registry.outcomeReport(rules: config.clinical, filter: filter, actor: actor)
    }
}
