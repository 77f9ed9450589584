import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// Patients: registering one, finding one (the API's search and the home page), and the
/// patient's page with every course. `/` leads to sign-in or to the first page the role may see.
struct PatientsController {
    let edge: WebEdge
    let repositories: Repositories

    var apiRoutes: Routes {
        let api = Routes(context: RegistryRequestContext.self)
        api.post("patients", use: register)
            .get("patients", use: list)
            .get("patients/:id", use: patient)
        return api
    }

    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get(use: start)
            .get("home", use: home)
            .get("patients/new", use: newPatientPage)
            .post("patients", use: registerFromPage)
            .get("patients/:id", use: patientPage)
            .get("assets/forms.js", use: formsScript)
        return routes
    }

    // MARK: API

    @Sendable func register(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.writeClinical)
        let write = try await WriteRequest<PatientInput>.read(request, by: principal, limit: edge.config.server.maxBodyBytes)
        let patient = try write.input.validated(edge.validationContext())
        return try await repositories.patients.register(
            patient, scope: principal.siteScope, by: context.actor(principal, request), idempotency: write.idempotency
        ).created(kind: "patient", metrics: edge.metrics)
    }

    @Sendable func list(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readIdentity)
        let patients = repositories.patients
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

    @Sendable func patient(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.require(.readIdentity)
        let id = try context.pathId("patient")
        guard let detail = try await repositories.patients.patient(id, scope: principal.siteScope) else { throw StoreError.notFound("patient \(id)") }
        return JSONResponse.make(status: .ok, detail)
    }

    // MARK: Pages

    @Sendable func start(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        guard let principal = try await edge.signedIn(request) else { return edge.redirect(Paths.login) }
        let start = [
            (Capability.readIdentity, Paths.home), (.runReports, Paths.outcomes), (.manageUsers, Paths.users), (.export, Paths.exports),
        ]
        return edge.redirect(start.first { principal.may($0.0) }?.1 ?? Paths.home)
    }

    /// Home finds a patient in one step and lists the recent courses at my sites, those waiting
    /// for a pain score, and the follow-ups due.
    @Sendable func home(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request) { principal, language in
            // The same rule as the API's search term; a term that breaks it finds nothing.
            var rule = Validator()
            let query = rule.text(request.query("q"), "q", maxLength: 100).map { $0.trimmingCharacters(in: .whitespaces) }
            var found: [PatientRecord] = []
            if let query { found = try await repositories.patients.search(query, scope: principal.siteScope) }
            let lists = try await repositories.courses.home(scope: principal.siteScope)
            return try edge.pages.home(
                language, viewer: edge.viewer(principal, request), query: query, found: found, courses: lists.recent, awaiting: lists.awaitingScore,
                patients: lists.patients, due: try await DueRows.read(repositories, edge, principal), writable: principal.may(.writeClinical))
        }
    }

    @Sendable func newPatientPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request) { principal, language in
            try await edge.show(try await patientForm(principal, language, request), principal, request)
        }
    }

    @Sendable func registerFromPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.answer(request) { principal, language in
            try await edge.submit(
                try await patientForm(principal, language, request), principal, request,
                validate: { try decodeInput(PatientInput.self, from: $0).validated(edge.validationContext()) }
            ) { patient, posted in
                let written = try await repositories.patients.register(
                    patient, scope: principal.siteScope, by: context.actor(principal, request), idempotency: posted.idempotency(for: principal))
                return .redirect("/patients/\(try written.createdId(kind: "patients", metrics: edge.metrics))")
            }
        }
    }

    @Sendable func patientPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        try await edge.page(request) { principal, language in
            let id = try context.pathId("patient")
            guard let detail = try await repositories.patients.patient(id, scope: principal.siteScope) else { throw StoreError.notFound("patient") }
            return try edge.pages.patient(
                language, viewer: edge.viewer(principal, request), patient: detail.patient, courses: detail.courses, siteName: detail.siteName,
                contact: detail.contact, csrf: principal.may(.writeClinical) ? CSRF.token(for: request) : nil)
        }
    }

    @Sendable func formsScript(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: edge.pages.formsScript)))
    }

    private func patientForm(_ principal: Principal, _ language: Language, _ request: Request) async throws -> PageForm {
        let sites = try await repositories.accounts.sites().filter { principal.siteScope?.contains($0.id) ?? true }
        var form = PageForm(
            spec: .patient(sites: sites.map { ($0.id.uuidString.lowercased(), $0.name) }), action: "/patients", shownAt: "/patients/new"
        ) { form in
            try edge.pages.formPage(language, viewer: edge.viewer(principal, request), form: form, back: Paths.home, context: "")
        }
        // A duplicate MRN links to the patient who has it, at the site chosen.
        form.conflictLink = { [repositories] field, posted in
            guard field == "mrn", let mrn = posted["mrn"]?.trimmingCharacters(in: .whitespaces), let site = posted["siteId"] else { return nil }
            let found = try await repositories.patients.search(mrn, scope: principal.siteScope)
                .first { $0.mrn == mrn && $0.siteId.uuidString.lowercased() == site.lowercased() }
            return found.map {
                FilledForm.FieldLink(
                    text: edge.pages.catalogue.text("existingPatient", language, ["name": "\($0.familyName) \($0.givenName)", "mrn": $0.mrn]),
                    href: Paths.patient($0.id))
            }
        }
        return form
    }
}

/// Due follow-ups at the user's sites as page rows, with site names and what the outbox sent for
/// each (home and the follow-up page).
enum DueRows {
    static func read(_ repositories: Repositories, _ edge: WebEdge, _ principal: Principal) async throws -> [Pages.DueRow] {
        let due = try await repositories.followUps.due(scope: principal.siteScope, today: edge.config.today(now: edge.now()))
        let messages = try await repositories.outbox.messages(of: due.map { ($0.courseId, $0.followUp.dueOn) })
        return due.map {
            Pages.DueRow(
                courseId: $0.courseId, patient: $0.patient, site: $0.siteName, followUp: $0.followUp,
                messages: (messages[$0.courseId] ?? []).map(Pages.CourseFollowUp.Message.init))
        }
    }
}

extension Pages.CourseFollowUp.Message {
    /// A stored message as the pages show it: when it was sent, or else queued.
    init(_ message: OutboxMessage) {
        self.init(
            dueOn: message.dueOn, number: message.number, channel: message.channel.rawValue, state: message.state.rawValue,
            when: message.sentAt ?? message.queuedAt, error: message.lastError)
    }
}

extension Written {
    /// The id of the record a write created (or had created, when replayed), counted by kind.
    func createdId(kind: String, metrics: RegistryMetrics) throws -> String {
        metrics.write(kind: kind, replayed: replayed)
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any], let id = object["id"] as? String else {
            throw StoreError.notFound("created record")
        }
        return id.lowercased()
    }
}
