import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryAnalytics
import RegistryCore
import RegistryStore
import RegistryWeb

/// Research exports: one table as CSV or everything as a zip through the API, streamed as they
/// read; and `/exports`, the page that checks a filter by the same rules and gives the links
/// (researchers and admins: every site; managers: their own).
struct ExportsController {
    let edge: WebEdge
    let repositories: Repositories

    /// Research exports: one table as CSV, or everything (with codebook and manifest) as a zip.
    /// Both stream as they read: memory stays flat and the first bytes leave at once.
    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("exports/:file", use: exportTable)
        api.get("exports.zip", use: exportArchive)
        return api
    }

    /// The export's selection from query parameters, scoped to a manager's own sites.
    func exportPlan(_ request: Request, _ principal: Principal) throws -> ExportPlan {
        ExportPlan(try exportRequest { request.query($0) }, scope: principal.siteScope, config: edge.config)
    }

    /// What was asked, from the named values of a query string or form.
    func exportRequest(_ value: (String) -> String?) throws(ValidationFailure) -> ExportRequest {
        try ExportRequest.parse(value, cohorts: CourseOutcome.cohortLabels(edge.config.clinical.cohorts))
    }

    /// GET /exports: the filter form and, once it holds, the download links.
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("exports", use: exportPage)
        return routes
    }

    @Sendable func exportTable(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.export)
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".csv"), let table = ExportTable(rawValue: String(file.dropLast(4))) else {
            throw StoreError.notFound("export \(file); tables: \(ExportTable.allCases.map(\.fileName).joined(separator: ", "))")
        }
        let plan = try exportPlan(request, principal)
        let exports = repositories.exports, actor = context.actor(principal, request), metrics = edge.metrics
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8; header=present",
                .contentDisposition: "attachment; filename=\"\(table.fileName)\"",
            ],
            body: ResponseBody { writer in
                var bytes = 0
                let rows = try await exports.table(table, plan: plan, by: actor) { chunk in
                    bytes += chunk.readableBytes
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
                metrics.exported(rows: rows, bytes: bytes)
            })
    }

    @Sendable func exportArchive(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.export)
        let plan = try exportPlan(request, principal)
        let exports = repositories.exports, actor = context.actor(principal, request), metrics = edge.metrics
        return ZipStream.download("scn-registry-export.zip", metrics: metrics) { zip in
            let manifest = try await exports.everything(plan, by: actor, to: &zip)
            return (manifest.files.compactMap(\.rows).reduce(0, +), manifest.files.map(\.bytes).reduce(0, +))
        }
    }

    @Sendable func exportPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request, needs: .export) { principal, language in
            var values = request.filledQuery(["siteId", "from", "to", "cohort", "procedureKind", "dates"])
            if values["dates"] == nil { values["dates"] = "shifted" }
            let sites = try await repositories.accounts.sites().filter { principal.siteScope?.contains($0.id) ?? true }
            let spec = FormSpec.exportFilter(
                sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) },
                cohorts: CourseOutcome.cohortLabels(edge.config.clinical.cohorts).map { ($0, edge.pages.catalogue.cohort($0, language)) })
            var form = FilledForm(
                spec: spec, action: Paths.exports, csrf: "", idempotencyKey: "", values: values, method: "get", submitKey: "showDownloads")
            func render(_ downloads: [(name: String, href: String)]) throws -> String {
                try edge.pages.exports(
                    language, viewer: edge.viewer(principal, request), filter: form, downloads: downloads,
                    notesIncluded: edge.config.export.includeNotes)
            }
            do {
                _ = try exportRequest { values[$0] }
            } catch let failure as ValidationFailure {
                form.problems = failure.problems
                throw PageRefusal.invalid(try render([]))
            }
            let query = queryString(values)
            // FHIR dates are calendar dates: its archive is offered for shifted dates only.
            let fhir = values["dates"] == ExportDates.shifted.rawValue ? [("scn-registry-fhir.zip", "/api/v1/exports/fhir.zip\(query)")] : []
            return try render(
                [("scn-registry-export.zip", "/api/v1/exports.zip\(query)")] + fhir
                    + ExportTable.allCases.map { ($0.fileName, "/api/v1/exports/\($0.fileName)\(query)") })
        }
    }

}

/// Holds a response body writer so a stored closure can write to it. Used by one task only.
final class WriterBox: @unchecked Sendable {
    var writer: any ResponseBodyWriter
    init(_ writer: any ResponseBodyWriter) { self.writer = writer }
}

/// `?a=1&b=2` of `values` in name order, percent-encoded; empty for none.
func queryString(_ values: [String: String]) -> String {
    guard !values.isEmpty else { return "" }
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._")
    return "?"
        + values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(
            separator: "&")
}
