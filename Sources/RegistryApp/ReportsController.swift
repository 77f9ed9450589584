import Foundation
import HTTPTypes
import Hummingbird
import RegistryAnalytics
import RegistryCore
import RegistryStore
import RegistryWeb

/// The outcome report: as JSON for the API, and as the dashboard for managers (their sites) and
/// researchers (the whole registry), its figures as a page with charts, each table also as CSV.
struct ReportsController {
    /// Where the API's report was read when a replica is configured: `replica; lag=0.4` or `primary; fallback=unreachable`.
    static let dataSourceHeader = HTTPField.Name("Registry-Data-Source")!
    let edge: WebEdge
    let repositories: Repositories

    /// GET /api/v1/reports/outcomes: the outcome report over the filtered courses.
    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("reports/outcomes", use: report)
        return api
    }

    /// The follow-up schedule's rules and today, for the report's completeness figures.
    func followUpToday() -> FollowUpDay { FollowUpDay(edge.config, now: edge.now()) }

    /// GET /reports/outcomes (the dashboard) and /reports/outcomes/{table}.csv.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("reports/outcomes", use: dashboard)
        routes.get("reports/outcomes/:file", use: dashboardTable)
        return routes
    }

    /// The report for the filter in the address (the API's parameters and rules), within the
    /// user's sites; an empty field means no filter.
    private func outcomes(
        _ request: Request, _ principal: Principal, by actor: Actor
    ) async throws -> (report: OutcomeReport, source: ReadSource.Choice) {
        let values = filterValues(request)
        let filter = try reportFilter { values[$0] }
        return try await repositories.reports.read(
            rules: edge.config.clinical, filter: filter, scope: principal.siteScope, followUp: followUpToday(),
            by: actor)
    }

    /// Where a report was read, for the API's header and the dashboard's line: nil without a replica.
    private func described(_ source: ReadSource.Choice) -> (lagSeconds: Double?, fallback: String?)? {
        repositories.reads.replica == nil ? nil : (source.lagSeconds, source.fallback)
    }

    /// The report's filter from the named values of a query string or form.
    private func reportFilter(_ value: (String) -> String?) throws -> ReportFilter {
        try ReportFilter.parse(
            siteId: value("siteId"), clinicianId: value("clinicianId"), from: value("from"), to: value("to"),
            injectate: value("injectate"), side: value("side"), source: value("source"))
    }

    private func filterValues(_ request: Request) -> [String: String] {
        request.filledQuery(["siteId", "clinicianId", "from", "to", "injectate", "side", "source"])
    }

    private func csvQuery(_ request: Request) -> String { queryString(filterValues(request)) }

    /// The filter's choices (the user's sites and their clinicians) and the names of every site
    /// and clinician, for the breakdown tables.
    private func reportFilterForm(_ principal: Principal) async throws -> (FormSpec, [UUID: String]) {
        let sites = try await repositories.accounts.sites().filter { principal.siteScope?.contains($0.id) ?? true }
        let clinicians = try await repositories.accounts.users().filter { user in
            user.role == .clinician && (principal.siteScope.map { !$0.isDisjoint(with: user.siteIds) } ?? true)
        }
        let spec = FormSpec.reportFilter(
            sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) },
            clinicians: clinicians.map { ($0.id.uuidString.lowercased(), $0.displayName) })
        var names: [UUID: String] = [:]
        for site in sites { names[site.id] = site.name }
        for clinician in clinicians { names[clinician.id] = clinician.displayName }
        return (spec, names)
    }

    @Sendable func report(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.runReports)
        let filter = try reportFilter { request.query($0) }
        // Managers see their own sites' outcomes; researchers the whole registry, aggregated.
        let (report, source) = try await repositories.reports.read(
            rules: edge.config.clinical, filter: filter, scope: principal.siteScope,
            followUp: followUpToday(), by: context.actor(principal, request))
        var response = JSONResponse.make(status: .ok, report)
        if let described = described(source) {
            // `replica; lag=0.4`, or `primary; fallback=unreachable`: how old the figures may be.
            response.headers[Self.dataSourceHeader] =
                source.source.rawValue + (described.fallback.map { "; fallback=\($0)" } ?? "")
                + (described.lagSeconds.map { String(format: "; lag=%.1f", $0) } ?? "")
        }
        return response
    }

    @Sendable func dashboard(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request, needs: .runReports) { principal, language in
            let (spec, names) = try await reportFilterForm(principal)
            let form = FilledForm(
                spec: spec, action: Paths.outcomes, csrf: "", idempotencyKey: "", values: filterValues(request), method: "get",
                submitKey: "apply")
            do {
                let (report, source) = try await outcomes(request, principal, by: context.actor(principal, request))
                return try edge.pages.dashboard(
                    language, viewer: edge.viewer(principal, request), report: report, names: names, filter: form, csvQuery: csvQuery(request),
                    source: described(source))
            } catch let failure as ValidationFailure {
                var again = form
                again.problems = failure.problems
                // Nothing is read for a filter that breaks a rule: the page shows an empty report around the form.
                let empty = OutcomeReportBuilder(rules: edge.config.clinical).report()
                throw PageRefusal.invalid(
                    try edge.pages.dashboard(
                        language, viewer: edge.viewer(principal, request), report: empty, names: names, filter: again, csvQuery: ""))
            }
        }
    }

    @Sendable func dashboardTable(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let file = context.parameters.get("file") ?? ""
        let key = file.hasSuffix(".csv") ? String(file.dropLast(4)) : ""
        var csv: String?
        let response = try await edge.page(request, needs: .runReports) { principal, language in
            let (_, names) = try await reportFilterForm(principal)
            let report = try await outcomes(request, principal, by: context.actor(principal, request)).report
            guard
                let table = OutcomeTables(report: report, names: names, catalogue: edge.pages.catalogue, language: language).all.first(
                    where: { $0.key == key })
            else {
                throw StoreError.notFound("table")
            }
            csv = ([table.csvHeader] + table.csvRows).map(CSV.record).joined()
            return ""
        }
        guard let csv, response.status == .ok else { return response }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"outcomes-\(key).csv\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

}
