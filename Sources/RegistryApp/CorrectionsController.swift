import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// Corrections and voids of course records. Through the API, `PATCH /courses/{id}/<kind>/{recordId}`
/// corrects fields of a record and `POST …/void` voids it with a reason; both require `If-Match`
/// with the record's version, and a stale version is 412 and writes nothing. From the course
/// timeline, the record's form comes filled with what it holds (or asks a reason to void it),
/// bound to the version shown; if someone changed the record since, the form comes back (409)
/// saying so, with the current values, and nothing is written.
struct CorrectionsController {
    let edge: WebEdge
    let repositories: Repositories

    var apiRoutes: Routes {
        let api = Routes(context: RegistryRequestContext.self)
        for kind in CorrectableKind.all {
            api.patch("courses/:id/\(kind.segment)/:recordId", use: correct(kind))
                .post("courses/:id/\(kind.segment)/:recordId/void", use: void(kind))
        }
        return api
    }

    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        for kind in CorrectableKind.all { addCorrectionForms(to: routes, kind) }
        return routes
    }

    /// `PATCH /courses/{id}/<kind>/{recordId}`.
    func correct(_ kind: CorrectableKind) -> @Sendable (Request, RegistryRequestContext) async throws -> Response {
        { request, context in
            let (principal, courseId, id, version) = try target(request, context)
            let patch = try jsonObject(try await request.bodyBytes(limit: edge.config.server.maxBodyBytes))
            let validation = edge.validationContext()
            let row = try await repositories.corrections.correct(
                in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope, expectedVersion: version,
                by: context.actor(principal, request)
            ) { current in
                try kind.revise(current, patch: patch, context: validation)
            }
            return recordResponse(row)
        }
    }

    /// `POST /courses/{id}/<kind>/{recordId}/void`.
    func void(_ kind: CorrectableKind) -> @Sendable (Request, RegistryRequestContext) async throws -> Response {
        { request, context in
            let (principal, courseId, id, version) = try target(request, context)
            let body = try decodeInput(VoidInput.self, from: try await request.bodyBytes(limit: 16_384))
            var v = Validator()
            let reason = v.text(body.reason, "reason", maxLength: 500, required: true)
            try v.finish { () }
            let row = try await repositories.corrections.void(
                in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope, reason: reason!,
                expectedVersion: version, by: context.actor(principal, request))
            return recordResponse(row)
        }
    }

    /// Who may, which course and record, and the version the caller saw: what both share.
    private func target(_ request: Request, _ context: RegistryRequestContext) throws -> (Principal, UUID, UUID, Int) {
        let principal = try context.require(.writeClinical)
        return (principal, try context.pathId("course"), try context.pathId("record", "recordId"), try Self.expectedVersion(request))
    }

    /// The changed record as GET shows it, with its new version as ETag.
    private func recordResponse(_ record: ChangedRecord) -> Response {
        JSONResponse.make(status: .ok, data: record.body, headers: [.eTag: "\"\(record.version)\""])
    }

    /// `If-Match: "3"` (or `3`, or `W/"3"`): the version the client last saw.
    static func expectedVersion(_ request: Request) throws -> Int {
        guard let header = request.headers[.ifMatch] else {
            throw BadRequestBody(
                status: .preconditionRequired, code: "if_match_required",
                message: "send If-Match with the record's version (its \"version\" field) so a concurrent change is not overwritten")
        }
        let digits = header.filter(\.isNumber)
        guard let version = Int(digits), !digits.isEmpty else {
            throw BadRequestBody(status: .badRequest, code: "bad_if_match", message: "If-Match must be the record's version, such as \"3\"")
        }
        return version
    }

    func addCorrectionForms(to routes: Routes, _ kind: CorrectableKind) {
        let path = "courses/:id/\(kind.segment)/:recordId"
        routes.get("\(path)/edit") { request, context in
            try await edge.page(request) { principal, language in
                let (form, entry) = try await correctionForm(
                    kind, try context.pathId("course"), try context.pathId("record", "recordId"), principal, language, request)
                return try await edge.show(
                    form, principal, request, values: form.spec.typed(fromRecord: entry.fields, clinicZone: edge.config.clinicTimeZone),
                    carried: ["version": String(entry.version)])
            }
        }
        routes.post("\(path)/edit") { request, context in
            try await edge.answer(request) { principal, language in
                let courseId = try context.pathId("course"), id = try context.pathId("record", "recordId")
                let (form, _) = try await correctionForm(kind, courseId, id, principal, language, request)
                let validation = edge.validationContext()
                return try await edge.submit(form, principal, request, blanksAsNull: true) { values, posted in
                    let patch = try JSONSerialization.jsonObject(with: values) as? [String: Any] ?? [:]
                    try await whenCurrent(posted, kind, courseId, id, principal, language, request) { version in
                        _ = try await repositories.corrections.correct(
                            in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope,
                            expectedVersion: version, by: context.actor(principal, request)
                        ) {
                            try kind.revise($0, patch: patch, context: validation)
                        }
                    }
                    return .redirect(Paths.course(courseId))
                }
            }
        }
        routes.get("\(path)/void") { request, context in
            try await edge.page(request) { principal, language in
                let (form, entry) = try await voidForm(
                    kind, try context.pathId("course"), try context.pathId("record", "recordId"), principal, language, request)
                return try await edge.show(form, principal, request, carried: ["version": String(entry.version)])
            }
        }
        routes.post("\(path)/void") { request, context in
            try await edge.answer(request) { principal, language in
                let courseId = try context.pathId("course"), id = try context.pathId("record", "recordId")
                let (form, _) = try await voidForm(kind, courseId, id, principal, language, request)
                return try await edge.submit(form, principal, request) { values, posted in
                    var v = Validator()
                    let reason = v.text(try decodeInput(VoidInput.self, from: values).reason, "reason", maxLength: 500, required: true)
                    try v.finish { () }
                    try await whenCurrent(posted, kind, courseId, id, principal, language, request, typedStays: true) { version in
                        _ = try await repositories.corrections.void(
                            in: kind.tables, id: id, courseId: courseId, scope: principal.siteScope, reason: reason!,
                            expectedVersion: version, by: context.actor(principal, request))
                    }
                    return .redirect(Paths.course(courseId))
                }
            }
        }
    }

    /// Runs `change` with the version the form was opened at; when the record has moved on, the
    /// correction form is shown again with the record as it now stands and the "changed by
    /// someone else" notice: a correction's fields as stored (they win; the user re-applies their
    /// change knowingly), a void's reason as typed (`typedStays`).
    private func whenCurrent(
        _ posted: PostedForm, _ kind: CorrectableKind, _ courseId: UUID, _ id: UUID, _ principal: Principal, _ language: Language,
        _ request: Request, typedStays: Bool = false, change: (Int) async throws -> Void
    ) async throws {
        do {
            try await change(Int(posted.version ?? "") ?? -1)
        } catch is StaleVersion {
            let (form, entry) = try await correctionForm(kind, courseId, id, principal, language, request)
            let values = typedStays ? posted.values : form.spec.typed(fromRecord: entry.fields, clinicZone: edge.config.clinicTimeZone)
            throw RecordChanged(values: values, version: entry.version)
        }
    }

    /// The record's own form, cut to what a correction may change (for findings, the date and
    /// the record's section; a session's procedures are voided and logged again instead).
    private func correctionForm(
        _ kind: CorrectableKind, _ courseId: UUID, _ id: UUID, _ principal: Principal, _ language: Language, _ request: Request
    ) async throws -> (PageForm, TimelineEntry) {
        let (course, entry) = try await entry(courseId, id, principal)
        guard let full = FormSpec.courseRecords[kind.segment] else { throw StoreError.notFound(kind.segment) }
        let spec = full.keeping { kind.correctable.contains($0.topLevelKey) || $0.topLevelKey == entry.section }
        let path = Paths.course(courseId)
        let form = PageForm(
            spec: FormSpec(titleKey: "correctRecord", groups: spec.groups),
            action: "\(path)/\(kind.segment)/\(id.uuidString.lowercased())/edit"
        ) { form in
            try edge.pages.formPage(
                language, viewer: edge.viewer(principal, request), form: form, back: path,
                context: try await describe("correctingRecord", kind, entry, course, principal, language))
        }
        return (form, entry)
    }

    private func voidForm(
        _ kind: CorrectableKind, _ courseId: UUID, _ id: UUID, _ principal: Principal, _ language: Language, _ request: Request
    ) async throws -> (PageForm, TimelineEntry) {
        let (course, entry) = try await entry(courseId, id, principal)
        let path = Paths.course(courseId)
        var form = PageForm(spec: .void, action: "\(path)/\(kind.segment)/\(id.uuidString.lowercased())/void") { form in
            try edge.pages.formPage(
                language, viewer: edge.viewer(principal, request), form: form, back: path,
                context: try await describe("voidingRecord", kind, entry, course, principal, language))
        }
        form.submitKey = "voidSubmit"
        return (form, entry)
    }

    /// Which record a correction or void changes ("Voiding: Pain score 2026-02-01"), then its course.
    private func describe(
        _ key: String, _ kind: CorrectableKind, _ entry: TimelineEntry, _ course: CourseRecord, _ principal: Principal, _ language: Language
    ) async throws -> String {
        let catalogue = edge.pages.catalogue
        let record = catalogue.text(key, language, ["record": "\(catalogue.text(kind.labelKey, language)) \(entry.when)"])
        return record + " · " + (try await CourseContext.describe(course, principal, repositories.patients))
    }

    /// The course and the (not voided) record, or a 404 page.
    private func entry(_ courseId: UUID, _ id: UUID, _ principal: Principal) async throws -> (CourseRecord, TimelineEntry) {
        guard let timeline = try await repositories.courses.timeline(courseId, scope: principal.siteScope),
            let entry = try TimelineEntry.find(id, in: timeline)
        else { throw StoreError.notFound("record") }
        return (timeline.course, entry)
    }
}
