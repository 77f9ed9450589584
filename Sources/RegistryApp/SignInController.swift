import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

/// Signing in and out: a page with a form (in the visitor's language), and POST /login taking
/// the form or JSON.
struct SignInController {
    let edge: WebEdge
    let accounts: AccountRepository

    var routes: Routes {
        let routes = Routes(context: RegistryRequestContext.self)
        routes.get("login", use: signInPage)
            .post("login", use: signIn)
            .post("logout", use: signOut)
        return routes
    }

    /// The sign-in page; after a refused try (`Refusal`), once, its message, the username typed
    /// and the status the try was refused with.
    @Sendable func signInPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let language = edge.language(of: request)
        guard let carried = ShownOnceCookie.signInRefusal.value(in: request), let refusal = Refusal(carried) else {
            return edge.html(.ok, try edge.pages.login(language), request)
        }
        let catalogue = edge.pages.catalogue
        let message =
            switch refusal.kind {
            case .required: catalogue.text("loginRequired", language)
            case .failed: catalogue.text("loginFailed", language)
            case .throttled: catalogue.text("loginThrottled", language, ["minutes": String(refusal.seconds / 60)])
            }
        var response = edge.html(refusal.kind.status, try edge.pages.login(language, username: refusal.username, error: message), request)
        if refusal.kind == .throttled { response.headers[.retryAfter] = String(refusal.seconds) }
        return edge.setting([ShownOnceCookie.signInRefusal.cleared], on: response)
    }

    /// A refused sign-in form, carried to the sign-in page it redirects to (post/redirect/get) so
    /// that Back or a reload never sends the password again: why, for how long, and the username
    /// typed when it is one's shape (`kind.seconds.username`).
    struct Refusal {
        enum Kind: String {
            case required, failed, throttled
            var status: HTTPResponse.Status {
                switch self {
                case .required: .unprocessableContent
                case .failed: .unauthorized
                case .throttled: .tooManyRequests
                }
            }
        }
        let kind: Kind
        let seconds: Int
        let username: String

        init(_ kind: Kind, seconds: Int = 0, username: String?) {
            self.kind = kind
            self.seconds = seconds
            let typed = username ?? ""
            self.username = typed.wholeMatch(of: #/[a-z0-9._-]{1,64}/#) == nil ? "" : typed
        }

        init?(_ carried: String) {
            let parts = carried.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let kind = Kind(rawValue: parts[0]), let seconds = Int(parts[1]) else { return nil }
            self.init(kind, seconds: seconds, username: parts[2])
        }

        var carried: String { "\(kind.rawValue).\(seconds).\(username)" }
    }

    private func refused(_ refusal: Refusal, _ request: Request) -> Response {
        edge.redirect(Paths.login, cookies: [edge.carrying(refusal.carried, in: .signInRefusal, for: request)])
    }

    @Sendable func signIn(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let data = try await request.bodyBytes(limit: 16_384)
        // A browser's form gets redirects (home, or the sign-in page with the message); JSON
        // clients get JSON.
        let form = request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
        let credentials =
            form
            ? try? URLEncodedFormDecoder().decode(Credentials.self, from: String(decoding: data, as: UTF8.self))
            : try decodeInput(Credentials.self, from: data)
        guard let username = credentials?.username, let password = credentials?.password, !username.isEmpty, !password.isEmpty else {
            if form { return refused(Refusal(.required, username: credentials?.username), request) }
            throw ValidationFailure([FieldProblem(field: "username", rule: "required", message: "username and password are required")])
        }
        let address = request.clientAddress(context, trustProxy: edge.config.server.trustProxy)
        switch try await accounts.login(username: username, password: password, address: address, rules: edge.config.auth) {
        case .success(let principal, let token):
            let secure = SecurityHeaders.overHTTPS(request, server: edge.config.server, auth: edge.config.auth)
            let cookie = Cookie(
                name: SessionCookie.name, value: token, maxAge: edge.config.auth.sessionIdleMinutes * 60, path: "/", secure: secure,
                httpOnly: true, sameSite: .strict)
            if form { return Response(status: .seeOther, headers: [.location: "/", .setCookie: cookie.description, .cacheControl: "no-store"]) }
            return JSONResponse.make(
                status: .ok, data: try JSONResponse.body(["username": principal.username, "role": principal.role.rawValue]),
                headers: [.setCookie: cookie.description])
        case .failure(let slowDown):
            edge.metrics.signInFailure("wrong_credentials")
            // Repeated failures are answered slowly, to make guessing expensive.
            if slowDown > 0 { try await Task.sleep(for: .seconds(slowDown)) }
            if form { return refused(Refusal(.failed, username: username), request) }
            return JSONResponse.make(status: .unauthorized, APIProblem(error: "login_failed", message: "wrong username or password"))
        case .throttled(let seconds):
            edge.metrics.signInFailure("throttled")
            if form { return refused(Refusal(.throttled, seconds: seconds, username: username), request) }
            return JSONResponse.make(
                status: .tooManyRequests,
                data: try JSONResponse.body(
                    APIProblem(
                        error: "too_many_attempts",
                        message: "too many failed sign-ins; try again in \(seconds / 60) minutes")),
                headers: [.retryAfter: String(seconds)])
        }
    }

    @Sendable func signOut(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        if let token = request.cookies[SessionCookie.name]?.value { try await accounts.logout(sessionToken: token) }
        let ended = Cookie(name: SessionCookie.name, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict)
        // The page's sign-out button goes back to the sign-in page; API clients get 204.
        if request.headers[.accept]?.contains("text/html") == true {
            return Response(status: .seeOther, headers: [.location: Paths.login, .setCookie: ended.description])
        }
        return Response(status: .noContent, headers: [.setCookie: ended.description])
    }
}

struct Credentials: Decodable {
    var username: String?
    var password: String?
}
