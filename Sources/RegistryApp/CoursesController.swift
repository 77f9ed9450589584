import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// Courses and the records on them: opening a course, reading it whole, and adding each kind of
/// record, through the JSON API and the clinic's forms. Both validate everything that needs no
/// database, then let the repository lock the course (404 if absent or at another site), check
/// the record's dates against its start and write it with its audit row, in one transaction.
struct CoursesController {
    let edge: WebEdge
    let repositories: Repositories

    var apiRoutes: Routes {
        let api = Routes(context: RegistryRequestContext.self)
        let courses = repositories.courses
        api.post("courses", use: open)
            .get("courses", use: list)
            .get("courses/:id", use: timeline)
            .post("courses/:id/blocks", use: addRecord(BlockInput.self, "blocks", courses.addBlock))
            .post("courses/:id/sessions", use: addRecord(SessionInput.self, "sessions", courses.addSession))
            .post("courses/:id/pain-scores", use: addRecord(PainScoreInput.self, "pain-scores", courses.addPainScore))
            .post("courses/:id/events", use: addRecord(CourseEventInput.self, "events", courses.addEvent))
            .post("courses/:id/findings", use: addRecord(FindingsInput.self, "findings", courses.addFindings))
        return api
    }

    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        let courses = repositories.courses
        routes.get("courses/:id", use: coursePage)
            .get("patients/:id/courses/new", use: newCoursePage)
            .post("patients/:id/courses", use: openFromPage)
        addRecordForm(to: routes, BlockInput.self, "blocks", courses.addBlock)
        addRecordForm(to: routes, SessionInput.self, "sessions", courses.addSession)
        addRecordForm(to: routes, PainScoreInput.self, "pain-scores", courses.addPainScore)
        addRecordForm(to: routes, CourseEventInput.self, "events", courses.addEvent)
        addRecordForm(to: routes, FindingsInput.self, "findings", courses.addFindings)
        return routes
    }

    typealias AddRecord<Input: CourseRecordInput> = @Sendable (Input.Valid, UUID, Set<UUID>?, Actor, Idempotency?) async throws -> Written

    // MARK: API

    @Sendable func open(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.writeClinical)
        let write = try await WriteRequest<CourseInput>.read(request, by: principal, limit: edge.config.server.maxBodyBytes)
        let course = try write.input.validated(edge.validationContext())
        return try await repositories.courses.open(
            course, scope: principal.siteScope, by: context.actor(principal, request), idempotency: write.idempotency
        ).created(kind: "course", metrics: edge.metrics)
    }

    @Sendable func list(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readClinical)
        let page = try PageRequest.parse(limit: request.query("limit"), cursor: request.query("cursor"))
        return JSONResponse.make(
            status: .ok,
            try await repositories.courses.list(
                patientId: try request.uuidQuery("patientId"), siteId: try request.uuidQuery("siteId"), scope: principal.siteScope, page: page))
    }

    @Sendable func timeline(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readClinical)
        let id = try context.pathId("course")
        guard let timeline = try await repositories.courses.timeline(id, scope: principal.siteScope) else {
            throw StoreError.notFound("course \(id)")
        }
        return JSONResponse.make(status: .ok, timeline)
    }

    /// `POST /courses/{id}/<segment>`.
    func addRecord<Input: CourseRecordInput>(
        _ input: Input.Type, _ segment: String, _ add: @escaping AddRecord<Input>
    ) -> @Sendable (Request, RegistryRequestContext) async throws -> Response {
        { request, context in
            let principal = try context.require(.writeClinical)
            let courseId = try context.pathId("course")
            let write = try await WriteRequest<Input>.read(request, by: principal, limit: edge.config.server.maxBodyBytes)
            let record = try write.input.validated(edge.validationContext(), courseStart: nil)
            return try await add(record, courseId, principal.siteScope, context.actor(principal, request), write.idempotency)
                .created(kind: segment, metrics: edge.metrics)
        }
    }

    // MARK: Pages

    /// The course page; a patient link just made (`ShownOnceCookie`) is shown first, once.
    @Sendable func coursePage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, language in
            let id = try context.pathId("course")
            let token = ShownOnceCookie.patientLink(course: id).value(in: request)
            let page = try await CoursePage(edge: edge, courses: repositories.courses).render(
                id, principal: principal, language: language, request: request,
                issuedLink: token.map { edge.config.server.publicOrigin + Paths.patientLink($0) })
            return .page(page, cookies: token == nil ? [] : [ShownOnceCookie.patientLink(course: id).cleared])
        }
    }

    @Sendable func newCoursePage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request) { principal, language in
            let (form, defaults) = try await courseForm(try context.pathId("patient"), principal, language, request)
            return try await edge.show(form, principal, request, values: defaults)
        }
    }

    @Sendable func openFromPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, language in
            let patientId = try context.pathId("patient")
            let (form, _) = try await courseForm(patientId, principal, language, request)
            return try await edge.submit(
                form, principal, request, fixed: ["patientId": patientId.uuidString.lowercased()],
                validate: { try decodeInput(CourseInput.self, from: $0).validated(edge.validationContext()) }
            ) { course, posted in
                let written = try await repositories.courses.open(
                    course, scope: principal.siteScope, by: context.actor(principal, request), idempotency: posted.idempotency(for: principal))
                return .redirect("/courses/\(try written.createdId(kind: "courses", metrics: edge.metrics))")
            }
        }
    }

    /// `GET /courses/{id}/<segment>/new` and `POST /courses/{id}/<segment>`: the record's form,
    /// written through the same repository call as the API's.
    private func addRecordForm<Input: CourseRecordInput>(to routes: Routes, _ input: Input.Type, _ segment: String, _ add: @escaping AddRecord<Input>)
    {
        routes.get("courses/:id/\(segment)/new") { request, context in
            try await edge.page(request) { principal, language in
                let (form, course) = try await recordForm(segment, try context.pathId("course"), principal, language, request)
                return try await edge.show(
                    form, principal, request, values: CoursePage(edge: edge, courses: repositories.courses).defaults(segment, course: course))
            }
        }
        routes.post("courses/:id/\(segment)") { request, context in
            try await edge.answer(request) { principal, language in
                let id = try context.pathId("course")
                let (form, _) = try await recordForm(segment, id, principal, language, request)
                return try await edge.submit(
                    form, principal, request,
                    validate: { try decodeInput(Input.self, from: $0).validated(edge.validationContext(), courseStart: nil) }
                ) { record, posted in
                    let written = try await add(
                        record, id, principal.siteScope, context.actor(principal, request), posted.idempotency(for: principal))
                    edge.metrics.write(kind: segment, replayed: written.replayed)
                    return .redirect(Paths.course(id))
                }
            }
        }
    }

    /// The course form of a patient the user can see, and its first values: the patient's site,
    /// the signed-in clinician, today.
    private func courseForm(
        _ patientId: UUID, _ principal: Principal, _ language: Language, _ request: Request
    ) async throws -> (PageForm, [String: String]) {
        guard let patient = try await repositories.patients.patient(patientId, scope: principal.siteScope)?.patient else {
            throw StoreError.notFound("patient")
        }
        let sites = try await repositories.accounts.sites().filter { principal.siteScope?.contains($0.id) ?? true }
        let clinicians = try await repositories.accounts.users().filter { user in
            user.role == .clinician && user.active && (principal.siteScope.map { !$0.isDisjoint(with: user.siteIds) } ?? true)
        }
        let spec = FormSpec.course(
            sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) },
            clinicians: clinicians.map { ($0.id.uuidString.lowercased(), $0.displayName) })
        let id = patientId.uuidString.lowercased()
        let form = PageForm(spec: spec, action: Paths.patient(patientId) + "/courses", shownAt: Paths.patient(patientId) + "/courses/new") { form in
            try edge.pages.formPage(
                language, viewer: edge.viewer(principal, request), form: form, back: Paths.patient(patientId),
                context: "\(patient.familyName) \(patient.givenName) (\(patient.mrn))")
        }
        var defaults = [
            "patientId": id, "siteId": patient.siteId.uuidString.lowercased(), "startedOn": edge.config.today(now: edge.now()).description,
        ]
        if principal.role == .clinician { defaults["clinicianId"] = principal.userId.uuidString.lowercased() }
        return (form, defaults)
    }

    /// The form of one kind of record on a course the user can see. The pain score's sits on the
    /// course page itself; the others have a page of their own naming the patient.
    private func recordForm(
        _ segment: String, _ courseId: UUID, _ principal: Principal, _ language: Language, _ request: Request
    ) async throws -> (PageForm, CourseRecord) {
        guard let spec = FormSpec.courseRecords[segment] else { throw StoreError.notFound(segment) }
        guard let course = try await repositories.courses.course(courseId, scope: principal.siteScope) else { throw StoreError.notFound("course") }
        let path = Paths.course(courseId)
        var form = PageForm(spec: spec, action: "\(path)/\(segment)", shownAt: "\(path)/\(segment)/new") { form in
            if segment == "pain-scores" {
                return try await CoursePage(edge: edge, courses: repositories.courses).render(
                    courseId, principal: principal, language: language, request: request, form: form)
            }
            return try edge.pages.formPage(
                language, viewer: edge.viewer(principal, request), form: form, back: path,
                context: try await CourseContext.describe(course, principal, repositories.patients))
        }
        if segment == "blocks" {
            let rules = edge.config.clinical.block, catalogue = edge.pages.catalogue
            form.data = [
                "positive-relief": "\(rules.positiveReliefPercent)", "window-minimum": "\(rules.assessmentWindowMinutes.minimum)",
                "window-maximum": "\(rules.assessmentWindowMinutes.maximum)", "positive-label": catalogue.text("positive", language),
                "negative-label": catalogue.text("negative", language),
            ]
            form.data["outside-label"] = catalogue.text("outsideWindow", language, form.data)
        }
        return (form, course)
    }
}

/// "Patient (MRN) · diagnosis · started": what a record's form is about.
enum CourseContext {
    static func describe(_ course: CourseRecord, _ principal: Principal, _ patients: PatientRepository) async throws -> String {
        let patient = try await patients.patient(course.patientId, scope: principal.siteScope)?.patient
        return [patient.map { "\($0.familyName) \($0.givenName) (\($0.mrn))" }, course.icd10, course.startedOn.description].compactMap { $0 }
            .joined(separator: " · ")
    }
}
