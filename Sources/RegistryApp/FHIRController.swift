import Foundation
import HTTPTypes
import Hummingbird
import RegistryAnalytics
import RegistryCore
import RegistryStore

/// FHIR R4 out: a course as a Bundle for the hospital's record (clinicians and managers of its
/// site), and the registry as de-identified FHIR Bulk Data (whoever may export the CSV).
struct FHIRController {
    let fhir: FHIRRepository
    let config: RegistryConfig
    let metrics: RegistryMetrics

    var apiRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        api.get("courses/:id/fhir", use: courseBundle)
        api.get("exports/fhir.zip", use: bulkExport)
        return api
    }

    static let fhirJSON = "application/fhir+json; fhirVersion=4.0"

    /// `GET /api/v1/courses/{id}/fhir`: the course's `collection` Bundle, with the patient's identity.
    @Sendable func courseBundle(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readClinical)
        _ = try context.require(.readIdentity)
        let id = try context.pathId("course")
        guard
            let bundle = try await fhir.courseBundle(
                id, scope: principal.siteScope, rules: config.clinical.block,
                by: context.actor(principal, request))
        else {
            throw StoreError.notFound("course \(id)")
        }
        return Response(status: .ok, headers: [.contentType: Self.fhirJSON], body: ResponseBody(byteBuffer: ByteBuffer(string: bundle)))
    }

    /// `GET /api/v1/exports/fhir.zip`: one NDJSON file per resource type and the Bulk Data
    /// manifest, streamed as they are read, with the CSV export's filters and de-identification.
    @Sendable func bulkExport(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.export)
        let asked = try ExportRequest.parse({ request.query($0) }, cohorts: CourseOutcome.cohortLabels(config.clinical.cohorts)).forFHIR()
        let plan = ExportPlan(asked, scope: principal.siteScope, config: config)
        let fhir = fhir, actor = context.actor(principal, request)
        let described = "GET /api/v1/exports/fhir.zip" + (request.uri.query.map { "?" + $0 } ?? "")
        return ZipStream.download("scn-registry-fhir.zip", metrics: metrics) { zip in
            let manifest = try await fhir.bulk(plan, by: actor, request: described, to: &zip)
            return (manifest.output.map(\.count).reduce(0, +), manifest.extension.files.map(\.bytes).reduce(0, +))
        }
    }
}
