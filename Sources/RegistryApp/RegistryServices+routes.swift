import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

typealias Routes = RouteCollection<RegistryRequestContext>

extension RegistryServices {
    /// Every clinical JSON route under /api/v1; openapi.yaml describes the same set. Each names
    /// the capability it needs, and reads and writes never reach outside the caller's sites: a
    /// record at another site is 404, so its existence does not leak.
    var clinicalRoutes: Routes {
        let api = RouteCollection(context: RegistryRequestContext.self)
        let patients = repositories.patients, courses = repositories.courses
        api.post("patients") { request, context in
            let principal = try context.require(.writeClinical)
            let write = try await readWrite(request, principal, as: PatientInput.self)
            let patient = try write.input.validated(validationContext())
            return created(
                try await patients.register(
                    patient, scope: principal.siteScope, by: principal.actor("POST /api/v1/patients"),
                    idempotency: write.idempotency), kind: "patient")
        }
        api.get("patients") { request, context in
            let principal = try context.require(.readIdentity)
            if let text = request.query("q") {
                var v = Validator()
                let term = v.text(text, "q", maxLength: 100, required: true)
                try v.finish { () }
                return JSONResponse.make(status: .ok, ["items": try await patients.search(term!, scope: principal.siteScope)])
            }
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return JSONResponse.make(
                status: .ok, try await patients.list(siteId: try request.uuidQuery("siteId"), scope: principal.siteScope, page: page))
        }
        api.get("patients/:id") { _, context in
            let principal = try context.require(.readIdentity)
            let id = try context.pathId("patient")
            guard let detail = try await patients.patient(id, scope: principal.siteScope) else { throw StoreError.notFound("patient \(id)") }
            return JSONResponse.make(status: .ok, detail)
        }

        api.post("courses") { request, context in
            let principal = try context.require(.writeClinical)
            let write = try await readWrite(request, principal, as: CourseInput.self)
            let course = try write.input.validated(validationContext())
            return created(
                try await courses.open(
                    course, scope: principal.siteScope, by: principal.actor("POST /api/v1/courses"),
                    idempotency: write.idempotency), kind: "course")
        }
        api.get("courses") { request, context in
            let principal = try context.require(.readClinical)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            return JSONResponse.make(
                status: .ok,
                try await courses.list(
                    patientId: try request.uuidQuery("patientId"), siteId: try request.uuidQuery("siteId"),
                    scope: principal.siteScope, page: page))
        }
        api.get("courses/:id") { _, context in
            let principal = try context.require(.readClinical)
            let id = try context.pathId("course")
            guard let timeline = try await courses.timeline(id, scope: principal.siteScope) else { throw StoreError.notFound("course \(id)") }
            return JSONResponse.make(status: .ok, timeline)
        }

        addCourseRecordRoute(to: api, "blocks", as: BlockInput.self, courses.addBlock)
        addCourseRecordRoute(to: api, "sessions", as: SessionInput.self, courses.addSession)
        addCourseRecordRoute(to: api, "pain-scores", as: PainScoreInput.self, courses.addPainScore)
        addCourseRecordRoute(to: api, "events", as: CourseEventInput.self, courses.addEvent)
        addCourseRecordRoute(to: api, "findings", as: FindingsInput.self, courses.addFindings)
        return api
    }

    /// `POST /courses/{id}/<segment>`: validate everything that needs no database, then let the
    /// repository lock the course (404 if absent or at another site), check the record's dates
    /// against its start and insert it, in one transaction.
    private func addCourseRecordRoute<Input: CourseRecordInput>(
        to api: Routes, _ segment: String, as input: Input.Type,
        _ add: @escaping @Sendable (Input.Valid, UUID, Set<UUID>?, Actor, Idempotency?) async throws -> Written
    ) {
        api.post("courses/:id/\(segment)") { request, context in
            let principal = try context.require(.writeClinical)
            let courseId = try context.pathId("course")
            let write = try await readWrite(request, principal, as: Input.self)
            let record = try write.input.validated(validationContext(), courseStart: nil)
            return created(
                try await add(record, courseId, principal.siteScope, principal.actor("POST /api/v1/courses/{id}/\(segment)"), write.idempotency),
                kind: segment)
        }
    }
}

extension Request {
    /// A query parameter, decoded as browsers encode a GET form: `+` is a space (then percent
    /// escapes), so a filter such as `cohort=not+evaluable` reads as it was chosen.
    func query(_ name: String) -> String? {
        func decoded(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
        for pair in (uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if decoded(parts[0]) == name { return parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return nil
    }

    /// The named query parameters that hold something: a page's GET filter form sends every
    /// field, and an empty one means no filter.
    func filledQuery(_ names: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for name in names {
            if let value = query(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty { values[name] = value }
        }
        return values
    }

    /// An optional UUID query parameter; a malformed one is a 422 naming it.
    func uuidQuery(_ name: String) throws -> UUID? {
        var v = Validator()
        let id = v.uuid(query(name), name)
        return try v.finish { id }
    }
}
