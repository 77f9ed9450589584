import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// What every controller's pages share: who is signed in, the page language, rendering with the
/// headers every page carries, and the answer to a refused or finished POST. The clock is
/// injected so tests can fix "today"; the server passes the real one.
struct WebEdge: Sendable {
    let pages: Pages
    let config: RegistryConfig
    let metrics: RegistryMetrics
    let accounts: AccountRepository
    let drafts: FormDraftRepository
    let now: @Sendable () -> Date

    static let languageCookie = "scn_lang"

    func validationContext() -> ValidationContext { ValidationContext(config: config, now: now()) }

    /// The page language: `?lang=` when given, else the one chosen before (remembered in a
    /// cookie), else the browser's Accept-Language.
    func language(of request: Request) -> Language {
        request.query("lang").flatMap(Language.init(rawValue:)) ?? request.cookies[Self.languageCookie].flatMap { Language(rawValue: $0.value) }
            ?? Language.preferred(acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The user of the session cookie, if it is still valid.
    func signedIn(_ request: Request) async throws -> Principal? {
        guard let token = request.cookies[SessionCookie.name]?.value else { return nil }
        return try await accounts.principal(forSession: token, idleMinutes: config.auth.sessionIdleMinutes, maxHours: config.auth.sessionMaxHours)
    }

    /// The header's name and links: home for those who see patients, outcomes for those who run
    /// reports; the request's query, kept by the language switch.
    func viewer(_ principal: Principal, _ request: Request) -> Pages.Viewer {
        Pages.Viewer(
            name: principal.username,
            links: [
                (Capability.readIdentity, Paths.home, "navHome"), (.readIdentity, Paths.followUps, "navFollowUps"),
                (.runReports, Paths.outcomes, "navOutcomes"),
                (.export, Paths.exports, "navExports"), (.manageUsers, Paths.users, "navUsers"),
                (.manageUsers, Paths.tokens, "navTokens"), (.readAudit, Paths.audit, "navAudit"),
            ]
            .filter { principal.may($0.0) }.map { ($0.1, $0.2) }, query: request.uri.query)
    }

    /// A page for the signed-in user (else to the sign-in page) whose role has `capability`
    /// (else a 403 page; identities by default); a record outside their sites is a 404 page.
    func page(
        _ request: Request, needs capability: Capability = .readIdentity, render: (Principal, Language) async throws -> String
    ) async throws -> Response {
        try await answer(request, needs: capability) { .page(try await render($0, $1)) }
    }

    /// `page` for a request that may end with a redirect (a form's POST, a button's).
    func answer(
        _ request: Request, needs capability: Capability = .readIdentity, render: (Principal, Language) async throws -> PageAnswer
    ) async throws -> Response {
        let language = language(of: request)
        guard let principal = try await signedIn(request) else { return redirect(Paths.login) }
        func problem(_ status: HTTPResponse.Status, _ title: String, _ message: String) throws -> Response {
            html(status, try pages.problem(language, viewer: viewer(principal, request), titleKey: title, messageKey: message), request)
        }
        do {
            guard principal.may(capability) else { throw AccessProblem.forbidden(role: principal.role, capability: capability) }
            switch try await render(principal, language) {
            case .page(let page, let cookies): return setting(cookies, on: html(.ok, page, request))
            case .redirect(let location, let cookies): return redirect(location, cookies: cookies)
            }
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
        }
    }

    /// What a browser asking for a page gets when the request fails outside a page's own handling
    /// (an address that does not exist, a method it does not take, a fault): a page in the reader's
    /// language with a way home, instead of the API's JSON. nil for the API and other clients.
    @Sendable func errorPage(_ status: HTTPResponse.Status, _ request: Request) async -> Response? {
        let path = request.uri.path
        guard request.headers[.accept]?.contains("text/html") == true, !path.hasPrefix("/api/") else { return nil }
        let (title, message) =
            switch status {
            case .notFound, .methodNotAllowed: ("noSuchPageTitle", "noSuchPageMessage")
            case .unauthorized: ("signedOutTitle", "signedOutMessage")
            case .forbidden: ("forbiddenTitle", "forbiddenMessage")
            case .serviceUnavailable: ("unavailableTitle", "unavailableMessage")
            default: ("errorTitle", "errorMessage")
            }
        // The header names the user when the session can be read; an error page never depends on it.
        var principal: Principal?
        do { principal = try await signedIn(request) } catch { principal = nil }
        do {
            let page = try pages.problem(language(of: request), viewer: principal.map { viewer($0, request) }, titleKey: title, messageKey: message)
            return html(status, page, request)
        } catch {
            return nil
        }
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

    func setting(_ cookies: [Cookie], on response: Response) -> Response {
        var response = response
        for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie.description)) }
        return response
    }

    func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        setting(cookies, on: Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"]))
    }

    /// `cookie` carrying `value` to the page a redirect leads to, Secure when the request came over HTTPS.
    func carrying(_ value: String, in cookie: ShownOnceCookie, for request: Request) -> Cookie {
        cookie.carrying(value, secure: SecurityHeaders.overHTTPS(request, server: config.server, auth: config.auth))
    }
}
