import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// The clinic's pages: `/` leads to sign-in or home; home finds a patient in one step and lists
/// the recent courses at my sites; the patient and course pages show everything recorded, the
/// course's derived state and its pain chart. Server-rendered, in zh-TW or English.
extension RegistryServices {
    var pageRoutes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get { request, _ in
            guard let principal = try await signedIn(request) else { return redirect("/login") }
            let start = [
                (Capability.readIdentity, "/home"), (.runReports, "/reports/outcomes"), (.manageUsers, "/admin/users"), (.export, "/exports"),
            ]
            return redirect(start.first { principal.may($0.0) }?.1 ?? "/home")
        }
        routes.get("home") { request, _ in
            try await page(request) { principal, language in
                // The same rule as the API's search term; a term that breaks it finds nothing.
                var rule = Validator()
                let query = rule.text(request.query("q"), "q", maxLength: 100).map { $0.trimmingCharacters(in: .whitespaces) }
                var found: [PatientRecord] = []
                if let query { found = try await repositories.patients.search(query, scope: principal.siteScope) }
                let courses = try await repositories.courses.list(
                    patientId: nil, siteId: nil, scope: principal.siteScope, page: PageRequest(limit: 20))
                let awaiting = try await repositories.courses.awaitingScore(scope: principal.siteScope)
                let patients = try await repositories.patients.identities(
                    Set((courses.items + awaiting).map(\.patientId)), scope: principal.siteScope)
                return try pages.home(
                    language, viewer: viewer(principal), query: query, found: found, courses: courses.items, awaiting: awaiting,
                    patients: patients, due: try await dueRows(principal), writable: principal.may(.writeClinical))
            }
        }
        routes.get("patients/:id") { request, context in
            try await page(request) { principal, language in
                let id = try context.pathId("patient")
                guard let detail = try await repositories.patients.patient(id, scope: principal.siteScope) else {
                    throw StoreError.notFound("patient")
                }
                let sites = try await repositories.accounts.sites()
                return try pages.patient(
                    language, viewer: viewer(principal), patient: detail.patient, courses: detail.courses,
                    siteName: sites.first { $0.id == detail.patient.siteId }?.name ?? "", writable: principal.may(.writeClinical))
            }
        }
        routes.get("courses/:id") { request, context in
            try await page(request) { principal, language in
                try await coursePage(try context.pathId("course"), principal: principal, language: language, request: request)
            }
        }
        routes.get("assets/forms.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: pages.formsScript)))
        }
        return routes
    }

    /// A page for the signed-in user (else to the sign-in page) whose role has `capability`
    /// (else a 403 page; identities by default); a record outside their sites is a 404 page.
    func page(
        _ request: Request, needs capability: Capability = .readIdentity, render: (Principal, Language) async throws -> String
    ) async throws -> Response {
        let language = language(of: request)
        guard let principal = try await signedIn(request) else { return redirect("/login") }
        func problem(_ status: HTTPResponse.Status, _ title: String, _ message: String) throws -> Response {
            html(status, try pages.problem(language, viewer: viewer(principal), titleKey: title, messageKey: message), request)
        }
        do {
            guard principal.may(capability) else { throw AccessProblem.forbidden(role: principal.role, capability: capability) }
            return html(.ok, try await render(principal, language), request)
        } catch AccessProblem.forbidden {
            return try problem(.forbidden, "forbiddenTitle", capability == .readIdentity ? "forbiddenMessage" : "forbiddenReportsMessage")
        } catch StoreError.notFound {
            return try problem(.notFound, "notFoundTitle", "notFoundMessage")
        } catch PageRefusal.readOnly {
            return try problem(.forbidden, "readOnlyTitle", "readOnlyMessage")
        } catch PageRefusal.expired {
            return try problem(.forbidden, "csrfTitle", "csrfMessage")
        } catch PageRefusal.invalid(let page) {
            return html(.unprocessableContent, page, request)
        } catch PageRefusal.stale(let page) {
            return html(.conflict, page, request)
        } catch PageRefusal.done(let location) {
            return redirect(location)
        } catch PageRefusal.shown(let page) {
            return html(.ok, page, request)
        }
    }

    /// The course page, with the pain-score form for those who may write (a fresh one, with its
    /// own idempotency key, unless `form` brings back what was typed).
    /// `issuedLink` is a patient link just made, shown this once.
    func coursePage(
        _ id: UUID, principal: Principal, language: Language, request: Request, form: FilledForm? = nil, issuedLink: String? = nil
    ) async throws -> String {
        guard
            let overview = try await repositories.courses.overview(
                id, scope: principal.siteScope, followUp: config.followUp, today: config.today(now: now()))
        else {
            throw StoreError.notFound("course")
        }
        var form = form
        if form == nil, principal.may(.writeClinical) {
            form = FilledForm(
                spec: .painScore, action: "/courses/\(id.uuidString.lowercased())/pain-scores", csrf: csrfToken(request),
                idempotencyKey: UUID().uuidString, values: defaults("pain-scores", course: overview.timeline.course))
        }
        let followUp = overview.schedule.map { schedule in
            Pages.CourseFollowUp(
                schedule: schedule, links: overview.links.map { ($0.id, $0.createdAt, $0.expiresAt, $0.revokedAt, $0.answers) },
                issuedURL: issuedLink, csrf: principal.may(.writeClinical) ? csrfToken(request) : nil)
        }
        return try pages.course(
            language, viewer: viewer(principal), timeline: overview.timeline, outcome: overview.outcome, patient: overview.patient,
            clinician: overview.clinicianName, site: overview.siteName, form: form, followUp: followUp)
    }

    /// Due follow-ups at the user's sites as page rows, with site names.
    func dueRows(_ principal: Principal) async throws -> [Pages.DueRow] {
        let due = try await repositories.followUps.due(scope: principal.siteScope, today: config.today(now: now()))
        let sites = Dictionary(uniqueKeysWithValues: try await repositories.accounts.sites().map { ($0.id, $0.name) })
        return due.map { Pages.DueRow(courseId: $0.courseId, patient: $0.patient, site: sites[$0.siteId] ?? "", followUp: $0.followUp) }
    }

    /// The user of the session cookie, if it is still valid.
    func signedIn(_ request: Request) async throws -> Principal? {
        guard let token = request.cookies[SessionCookie.name]?.value else { return nil }
        return try await repositories.accounts.principal(
            forSession: token, idleMinutes: config.auth.sessionIdleMinutes, maxHours: config.auth.sessionMaxHours)
    }

    /// The header's name and links: home for those who see patients, outcomes for those who run reports.
    func viewer(_ principal: Principal) -> Pages.Viewer {
        Pages.Viewer(
            name: principal.username,
            links: [
                (Capability.readIdentity, "/home", "navHome"), (.readIdentity, "/follow-ups", "navFollowUps"),
                (.runReports, "/reports/outcomes", "navOutcomes"),
                (.export, "/exports", "navExports"), (.manageUsers, "/admin/users", "navUsers"),
                (.manageUsers, "/admin/tokens", "navTokens"), (.readAudit, "/admin/audit", "navAudit"),
            ]
            .filter { principal.may($0.0) }.map { ($0.1, $0.2) })
    }

    /// A page with the headers every page carries: no framing, scripts only from here, nothing
    /// cached (pages show identities), and the chosen language remembered.
    func html(_ status: HTTPResponse.Status, _ body: String, _ request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "same-origin",
        ]
        if let chosen = request.query("lang").flatMap(Language.init(rawValue:)) {
            headers[.setCookie] =
                Cookie(
                    name: Self.languageCookie, value: chosen.rawValue, maxAge: 365 * 86400, path: "/", httpOnly: true,
                    sameSite: .lax
                ).description
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static let languageCookie = "scn_lang"
}
