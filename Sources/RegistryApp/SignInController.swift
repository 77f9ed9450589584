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

    @Sendable func signInPage(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        edge.html(.ok, try edge.pages.login(edge.language(of: request)), request)
    }

    @Sendable func signIn(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let data = try await request.bodyBytes(limit: 16_384)
        // A browser's form gets pages (303 home, or the form again with the message); JSON
        // clients get JSON.
        let form = request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
        let language = edge.language(of: request)
        let credentials =
            form
            ? try? URLEncodedFormDecoder().decode(Credentials.self, from: String(decoding: data, as: UTF8.self))
            : try decodeInput(Credentials.self, from: data)
        guard let username = credentials?.username, let password = credentials?.password, !username.isEmpty, !password.isEmpty else {
            if form {
                return edge.html(
                    .unprocessableContent,
                    try edge.pages.login(
                        language, username: credentials?.username ?? "",
                        error: edge.pages.catalogue.text("loginRequired", language)), request)
            }
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
            if form {
                return edge.html(
                    .unauthorized, try edge.pages.login(language, username: username, error: edge.pages.catalogue.text("loginFailed", language)),
                    request)
            }
            return JSONResponse.make(status: .unauthorized, APIProblem(error: "login_failed", message: "wrong username or password"))
        case .throttled(let seconds):
            edge.metrics.signInFailure("throttled")
            if form {
                var response = edge.html(
                    .tooManyRequests,
                    try edge.pages.login(
                        language, username: username,
                        error: edge.pages.catalogue.text(
                            "loginThrottled", language, ["minutes": String(seconds / 60)])), request)
                response.headers[.retryAfter] = String(seconds)
                return response
            }
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
