import Foundation
import Hummingbird
import RegistryAnalytics
import RegistryCore
import RegistryStore
import RegistryWeb

/// `/exports`: the research export from the browser (researchers and admins: every site;
/// managers: their own). The filter is checked by the API's own rules before any link is given,
/// so a broken one is named beside its field instead of downloading an error.
extension RegistryServices {
    var exportPageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("exports") { request, _ in
            try await page(request, needs: .export) { principal, language in
                var values = request.filledQuery(["siteId", "from", "to", "cohort", "procedureKind", "dates"])
                if values["dates"] == nil { values["dates"] = "shifted" }
                let sites = try await repositories.accounts.sites().filter { principal.siteScope?.contains($0.id) ?? true }
                let spec = FormSpec.exportFilter(sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) },
                                                 cohorts: CourseOutcome.cohortLabels(config.clinical.cohorts))
                var form = FilledForm(spec: spec, action: "/exports", csrf: "", idempotencyKey: "", values: values, method: "get", submitKey: "showDownloads")
                func render(_ downloads: [(name: String, href: String)]) throws -> String {
                    try pages.exports(language, viewer: viewer(principal), filter: form, downloads: downloads, notesIncluded: config.export.includeNotes)
                }
                do {
                    _ = try ExportPlan.parse(siteId: values["siteId"], from: values["from"], to: values["to"], cohort: values["cohort"],
                                             procedureKind: values["procedureKind"], dates: values["dates"], scope: principal.siteScope, config: config)
                } catch let failure as ValidationFailure {
                    form.problems = failure.problems
                    throw PageRefusal.invalid(try render([]))
                }
                let query = queryString(values)
                return try render([("scn-registry-export.zip", "/api/v1/exports.zip\(query)")]
                    + ExportTable.allCases.map { ($0.fileName, "/api/v1/exports/\($0.fileName)\(query)") })
            }
        }
        return routes
    }
}

/// `?a=1&b=2` of `values` in name order, percent-encoded; empty for none.
func queryString(_ values: [String: String]) -> String {
    guard !values.isEmpty else { return "" }
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._")
    return "?" + values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
}
