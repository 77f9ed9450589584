import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO
import RegistryCore
import RegistryStore

typealias APIGroup = RouterGroup<RegistryRequestContext>

extension RegistryServices {
    /// Every clinical JSON route under /api/v1; openapi.yaml describes the same set. Each names
    /// the capability it needs, and reads and writes never reach outside the caller's sites: a
    /// record at another site is 404, so its existence does not leak.
    func addRoutes(to api: APIGroup) {
        api.post("patients") { request, context in
            let principal = try context.require(.writeClinical)
            return try await create(request, principal, route: "POST /api/v1/patients", as: PatientInput.self) { input, actor, connection in
                try await registry.insertPatient(try input.validated(validationContext()), scope: principal.siteScope, actor: actor, on: connection)
            }
        }
        api.get("patients") { request, context in
            let principal = try context.require(.readIdentity)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            let siteId = try request.uuidQuery("siteId")
            let result = try await registry.database.read {
                try await registry.patients(siteId: siteId, scope: principal.siteScope, page: page, on: $0)
            }
            return JSONResponse.make(status: .ok, result)
        }
        api.get("patients/:id") { _, context in
            let principal = try context.require(.readIdentity)
            let id = try context.pathId("patient")
            let detail = try await registry.database.read { connection -> PatientDetail? in
                guard let patient = try await registry.patient(id, scope: principal.siteScope, on: connection) else { return nil }
                let courses = try await registry.courses(patientId: id, scope: principal.siteScope, page: PageRequest(limit: PageRequest.maximumLimit),
                                                         on: connection)
                return PatientDetail(patient: patient, courses: courses.items)
            }
            guard let detail else { throw StoreError.notFound("patient \(id)") }
            return JSONResponse.make(status: .ok, detail)
        }

        api.post("courses") { request, context in
            let principal = try context.require(.writeClinical)
            return try await create(request, principal, route: "POST /api/v1/courses", as: CourseInput.self) { input, actor, connection in
                try await registry.insertCourse(try input.validated(validationContext()), scope: principal.siteScope, actor: actor, on: connection)
            }
        }
        api.get("courses") { request, context in
            let principal = try context.require(.readClinical)
            let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
            let patientId = try request.uuidQuery("patientId")
            let siteId = try request.uuidQuery("siteId")
            let result = try await registry.database.read {
                try await registry.courses(patientId: patientId, siteId: siteId, scope: principal.siteScope, page: page, on: $0)
            }
            return JSONResponse.make(status: .ok, result)
        }
        api.get("courses/:id") { _, context in
            let principal = try context.require(.readClinical)
            let id = try context.pathId("course")
            let timeline = try await registry.database.read {
                try await registry.timeline(id, rules: config.clinical.block, scope: principal.siteScope, on: $0)
            }
            guard let timeline else { throw StoreError.notFound("course \(id)") }
            return JSONResponse.make(status: .ok, timeline)
        }

        addCourseRecordRoute(to: api, "blocks", as: BlockInput.self) { block, course, actor, connection in
            try await registry.insertBlock(block, courseId: course.id, rules: config.clinical.block, actor: actor, on: connection)
        }
        addCourseRecordRoute(to: api, "sessions", as: SessionInput.self) { session, course, actor, connection in
            try await registry.insertSession(session, courseId: course.id, clinicianId: session.clinicianId ?? course.clinicianId,
                                             actor: actor, on: connection)
        }
        addCourseRecordRoute(to: api, "pain-scores", as: PainScoreInput.self) { score, course, actor, connection in
            try await registry.insertPainScore(score, courseId: course.id, actor: actor, on: connection)
        }
        addCourseRecordRoute(to: api, "events", as: CourseEventInput.self) { event, course, actor, connection in
            try await registry.insertEvent(event, courseId: course.id, actor: actor, on: connection)
        }
        addCourseRecordRoute(to: api, "findings", as: FindingsInput.self) { findings, course, actor, connection in
            try await registry.insertFindings(findings, courseId: course.id, actor: actor, on: connection)
        }
    }

    /// `POST /courses/{id}/<segment>`: lock the course (404 if absent or at another site),
    /// validate against its start date, then insert, all in the write's one transaction.
    private func addCourseRecordRoute<Input: CourseRecordInput, Output: Encodable & Sendable>(
        to api: APIGroup, _ segment: String, as input: Input.Type,
        insert: @escaping @Sendable (Input.Valid, OpenCourse, Actor, PostgresConnection) async throws -> Output
    ) {
        api.post("courses/:id/\(segment)") { request, context in
            let principal = try context.require(.writeClinical)
            let courseId = try context.pathId("course")
            return try await create(request, principal, route: "POST /api/v1/courses/{id}/\(segment)", as: Input.self) { input, actor, connection in
                let course = try await registry.openCourse(courseId, scope: principal.siteScope, on: connection)
                let valid = try input.validated(validationContext(), courseStart: course.startedOn)
                return try await insert(valid, course, actor, connection)
            }
        }
    }
}

/// A patient with their courses, for GET /patients/{id}.
struct PatientDetail: Codable, Sendable {
    let patient: PatientRecord
    let courses: [CourseRecord]
}

extension Request {
    func query(_ name: String) -> String? { uri.queryParameters[Substring(name)].map(String.init) }

    /// An optional UUID query parameter; a malformed one is a 422 naming it.
    func uuidQuery(_ name: String) throws -> UUID? {
        var v = Validator()
        let id = v.uuid(query(name), name)
        return try v.finish { id }
    }
}
