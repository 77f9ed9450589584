import Foundation
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// A form of the web app: what it asks, where it posts, and the page it sits on (shown by GET,
/// and again with what was typed when a rule is broken).
struct PageForm {
    let spec: FormSpec
    let action: String
    let page: (FilledForm) async throws -> String
    var data: [String: String] = [:]
}

/// The clinic's forms: register a patient, open a course, add each kind of record, correct and
/// void records. Each posts the API's own input, so the same rules give the same problems;
/// each carries a CSRF token and its own idempotency key.
extension RegistryServices {
    var formRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("patients/new") { request, _ in
            try await page(request) { principal, language in
                try await show(try await patientForm(principal, language), principal, request)
            }
        }
        routes.post("patients") { request, _ in
            try await page(request) { principal, language in
                try await submit(try await patientForm(principal, language), principal, request) { values, posted in
                    let patient = try decodeInput(PatientInput.self, from: values).validated(validationContext())
                    let written = try await repositories.patients.register(
                        patient, scope: principal.siteScope, by: principal.actor("POST /patients"),
                        idempotency: posted.idempotency(for: principal))
                    return "/patients/\(try createdId(written, kind: "patients"))"
                }
            }
        }
        routes.get("patients/:id/courses/new") { request, context in
            try await page(request) { principal, language in
                let (form, defaults) = try await courseForm(try context.pathId("patient"), principal, language)
                return try await show(form, principal, request, values: defaults)
            }
        }
        routes.post("patients/:id/courses") { request, context in
            try await page(request) { principal, language in
                let patientId = try context.pathId("patient")
                let (form, _) = try await courseForm(patientId, principal, language)
                return try await submit(form, principal, request, fixed: ["patientId": patientId.uuidString.lowercased()]) { values, posted in
                    let course = try decodeInput(CourseInput.self, from: values).validated(validationContext())
                    let written = try await repositories.courses.open(
                        course, scope: principal.siteScope, by: principal.actor("POST /patients/{id}/courses"),
                        idempotency: posted.idempotency(for: principal))
                    return "/courses/\(try createdId(written, kind: "courses"))"
                }
            }
        }
        addRecordForm(to: routes, "blocks", as: BlockInput.self, repositories.courses.addBlock)
        addRecordForm(to: routes, "sessions", as: SessionInput.self, repositories.courses.addSession)
        addRecordForm(to: routes, "pain-scores", as: PainScoreInput.self, repositories.courses.addPainScore)
        addRecordForm(to: routes, "events", as: CourseEventInput.self, repositories.courses.addEvent)
        addRecordForm(to: routes, "findings", as: FindingsInput.self, repositories.courses.addFindings)
        for kind in CorrectableKind.all { addCorrectionForms(to: routes, kind) }
        return routes
    }

    /// `GET /courses/{id}/<segment>/new` and `POST /courses/{id}/<segment>`: the record's form,
    /// written through the same repository call as the API's.
    private func addRecordForm<Input: CourseRecordInput>(
        to routes: Routes, _ segment: String, as input: Input.Type,
        _ add: @escaping @Sendable (Input.Valid, UUID, Set<UUID>?, Actor, Idempotency?) async throws -> Written
    ) {
        routes.get("courses/:id/\(segment)/new") { request, context in
            try await page(request) { principal, language in
                let (form, course) = try await recordForm(segment, try context.pathId("course"), principal, language, request)
                return try await show(form, principal, request, values: defaults(segment, course: course))
            }
        }
        routes.post("courses/:id/\(segment)") { request, context in
            try await page(request) { principal, language in
                let id = try context.pathId("course")
                let (form, _) = try await recordForm(segment, id, principal, language, request)
                return try await submit(form, principal, request) { values, posted in
                    let record = try decodeInput(Input.self, from: values).validated(validationContext(), courseStart: nil)
                    let written = try await add(
                        record, id, principal.siteScope, principal.actor("POST /courses/{id}/\(segment)"), posted.idempotency(for: principal))
                    metrics.write(kind: segment, replayed: written.replayed)
                    return "/courses/\(id.uuidString.lowercased())"
                }
            }
        }
    }

    /// Shows `form` fresh: a new idempotency key, the session's CSRF token, `values` filled in.
    func show(
        _ form: PageForm, _ principal: Principal, _ request: Request, values: [String: String] = [:], carried: [String: String] = [:],
        noticeKey: String? = nil, needs capability: Capability = .writeClinical
    ) async throws -> String {
        guard principal.may(capability) else { throw PageRefusal.readOnly }
        return try await form.page(
            FilledForm(
                spec: form.spec, action: form.action, csrf: csrfToken(request), idempotencyKey: UUID().uuidString,
                values: values, carried: carried, noticeKey: noticeKey, data: form.data))
    }

    /// Checks the role and the CSRF token, turns the posted fields into the API's JSON and hands
    /// it, with the form as posted, to `write`, which answers where to go next. A broken rule or a clash (a duplicate MRN)
    /// shows the form again with what was typed and each problem beside its field; nothing is
    /// written. `fixed` fields come from the address, never from what was posted.
    func submit(
        _ form: PageForm, _ principal: Principal, _ request: Request, fixed: [String: String] = [:], blanksAsNull: Bool = false,
        needs capability: Capability = .writeClinical, write: (Data, PostedForm) async throws -> String
    ) async throws -> String {
        var posted = try await PostedForm.read(request)
        guard principal.may(capability) else { throw PageRefusal.readOnly }
        guard let session = request.cookies[SessionCookie.name]?.value, CSRF.matches(posted.csrf, session: session) else { throw PageRefusal.expired }
        posted.values.merge(fixed) { _, address in address }
        func again(_ problems: [FieldProblem]) async throws -> PageRefusal {
            .invalid(
                try await form.page(
                    FilledForm(
                        spec: form.spec, action: form.action, csrf: posted.csrf ?? "",
                        idempotencyKey: posted.idempotencyKey ?? UUID().uuidString, values: posted.values, problems: problems,
                        carried: posted.version.map { ["version": $0] } ?? [:], data: form.data)))
        }
        do {
            let values = try form.spec.json(posted.values, clinicZone: config.clinicTimeZone, blanksAsNull: blanksAsNull)
            throw PageRefusal.done(location: try await write(values, posted))
        } catch let failure as ValidationFailure {
            throw try await again(failure.problems)
        } catch StoreError.conflict(let field, let message) {
            throw try await again([FieldProblem(field: field, rule: "unique", message: message)])
        } catch StoreError.idempotencyKeyReused {
            // The same form sent again with other values: a fresh form would store it; say so.
            throw try await again([
                FieldProblem(
                    field: form.spec.fields.first { $0.kind.isVisible }?.name ?? "", rule: "resubmitted",
                    message: "this form was already saved with other values; open a new form to add another record")
            ])
        }
    }

    /// A button's POST (disable, revoke): the session's CSRF token or a 403 page.
    func checkCSRF(_ request: Request) async throws {
        let posted = try await PostedForm.read(request)
        guard let session = request.cookies[SessionCookie.name]?.value, CSRF.matches(posted.csrf, session: session) else { throw PageRefusal.expired }
    }

    /// The session's CSRF token (pages that show forms are only reached signed in).
    func csrfToken(_ request: Request) -> String {
        request.cookies[SessionCookie.name].map { CSRF.token(session: $0.value) } ?? ""
    }

    private func patientForm(_ principal: Principal, _ language: Language) async throws -> PageForm {
        let sites = try await visibleSites(principal)
        return PageForm(spec: .patient(sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) }), action: "/patients") { form in
            try pages.formPage(language, viewer: viewer(principal), form: form, back: "/home", context: "")
        }
    }

    /// The course form of a patient the user can see, and its first values: the patient's site,
    /// the signed-in clinician, today.
    private func courseForm(_ patientId: UUID, _ principal: Principal, _ language: Language) async throws -> (PageForm, [String: String]) {
        guard let patient = try await repositories.patients.patient(patientId, scope: principal.siteScope)?.patient else {
            throw StoreError.notFound("patient")
        }
        let sites = try await visibleSites(principal)
        let clinicians = try await repositories.accounts.users().filter { user in
            user.role == .clinician && user.active && (principal.siteScope.map { !$0.isDisjoint(with: user.siteIds) } ?? true)
        }
        let spec = FormSpec.course(
            sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) },
            clinicians: clinicians.map { ($0.id.uuidString.lowercased(), $0.displayName) })
        let id = patientId.uuidString.lowercased()
        let form = PageForm(spec: spec, action: "/patients/\(id)/courses") { form in
            try pages.formPage(
                language, viewer: viewer(principal), form: form, back: "/patients/\(id)",
                context: "\(patient.familyName) \(patient.givenName) (\(patient.mrn))")
        }
        var defaults = ["patientId": id, "siteId": patient.siteId.uuidString.lowercased(), "startedOn": config.today(now: now()).description]
        if principal.role == .clinician { defaults["clinicianId"] = principal.userId.uuidString.lowercased() }
        return (form, defaults)
    }

    /// The form of one kind of record on a course the user can see. The pain score's sits on the
    /// course page itself; the others have a page of their own naming the patient.
    func recordForm(
        _ segment: String, _ courseId: UUID, _ principal: Principal, _ language: Language, _ request: Request
    ) async throws -> (PageForm, CourseRecord) {
        guard let spec = FormSpec.courseRecords[segment] else { throw StoreError.notFound(segment) }
        guard let course = try await repositories.courses.course(courseId, scope: principal.siteScope) else { throw StoreError.notFound("course") }
        let path = "/courses/\(courseId.uuidString.lowercased())"
        var form = PageForm(spec: spec, action: "\(path)/\(segment)") { form in
            if segment == "pain-scores" {
                return try await coursePage(courseId, principal: principal, language: language, request: request, form: form)
            }
            return try pages.formPage(
                language, viewer: viewer(principal), form: form, back: path, context: try await courseContext(course, principal))
        }
        if segment == "blocks" {
            let rules = config.clinical.block
            form.data = [
                "positive-relief": "\(rules.positiveReliefPercent)", "window-minimum": "\(rules.assessmentWindowMinutes.minimum)",
                "window-maximum": "\(rules.assessmentWindowMinutes.maximum)", "positive-label": pages.catalogue.text("positive", language),
                "negative-label": pages.catalogue.text("negative", language),
            ]
        }
        return (form, course)
    }

    /// A new record's first values: today (now, for a block) and the course's side.
    func defaults(_ segment: String, course: CourseRecord) -> [String: String] {
        let today = config.today(now: now()).description
        switch segment {
        case "blocks":
            let clock = DateFormatter()
            clock.locale = Locale(identifier: "en_US_POSIX")
            clock.timeZone = config.clinicTimeZone
            clock.dateFormat = "yyyy-MM-dd'T'HH:mm"
            return ["performedAt": clock.string(from: now()), "side": course.side.rawValue]
        case "sessions": return ["sessionOn": today]
        case "pain-scores": return ["recordedOn": today, "timepoint": Timepoint.followUp.rawValue]
        case "events": return ["occurredOn": today]
        default: return ["recordedOn": today]
        }
    }

    /// "Patient (MRN) · side · started": what a record form is about.
    func courseContext(_ course: CourseRecord, _ principal: Principal) async throws -> String {
        let patient = try await repositories.patients.patient(course.patientId, scope: principal.siteScope)?.patient
        return [patient.map { "\($0.familyName) \($0.givenName) (\($0.mrn))" }, course.icd10, course.startedOn.description].compactMap { $0 }.joined(
            separator: " · ")
    }

    private func visibleSites(_ principal: Principal) async throws -> [SiteRecord] {
        try await repositories.accounts.sites().filter { principal.siteScope?.contains($0.id) ?? true }
    }

    /// The id of the record a write created (or had created, when replayed).
    private func createdId(_ written: Written, kind: String) throws -> String {
        metrics.write(kind: kind, replayed: written.replayed)
        guard let object = try JSONSerialization.jsonObject(with: written.body) as? [String: Any], let id = object["id"] as? String else {
            throw StoreError.notFound("created record")
        }
        return id.lowercased()
    }
}
