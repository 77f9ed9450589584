import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore
import RegistryWeb

extension RegistryServices {
    /// The public sign-in routes: a page with a form (in the visitor's language), and POST /login
    /// taking the form or JSON.
    var signInRoutes: Routes {
        let router = RouteCollection(context: RegistryRequestContext.self)
        router.get("login") { request, _ in
            html(.ok, try pages.login(language(of: request)), request)
        }
        router.post("login") { request, context in
            let data = try await request.bodyBytes(limit: 16_384)
            // A browser's form gets pages (303 home, or the form again with the message); JSON
            // clients get JSON.
            let form = request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
            let language = language(of: request)
            let credentials =
                form
                ? try? URLEncodedFormDecoder().decode(Credentials.self, from: String(decoding: data, as: UTF8.self))
                : try decodeInput(Credentials.self, from: data)
            guard let username = credentials?.username, let password = credentials?.password, !username.isEmpty, !password.isEmpty else {
                if form {
                    return html(
                        .unprocessableContent,
                        try pages.login(
                            language, username: credentials?.username ?? "",
                            error: pages.catalogue.text("loginRequired", language)), request)
                }
                throw ValidationFailure([FieldProblem(field: "username", rule: "required", message: "username and password are required")])
            }
            let address = request.clientAddress(context, trustProxy: config.server.trustProxy)
            switch try await repositories.accounts.login(username: username, password: password, address: address, rules: config.auth) {
            case .success(let principal, let token):
                let secure = SecurityHeaders.overHTTPS(request, server: config.server, auth: config.auth)
                let cookie = Cookie(
                    name: SessionCookie.name, value: token, maxAge: config.auth.sessionIdleMinutes * 60, path: "/", secure: secure,
                    httpOnly: true, sameSite: .strict)
                if form { return Response(status: .seeOther, headers: [.location: "/", .setCookie: cookie.description, .cacheControl: "no-store"]) }
                return JSONResponse.make(
                    status: .ok, data: try JSONResponse.body(["username": principal.username, "role": principal.role.rawValue]),
                    headers: [.setCookie: cookie.description])
            case .failure(let slowDown):
                metrics.signInFailure("wrong_credentials")
                // Repeated failures are answered slowly, to make guessing expensive.
                if slowDown > 0 { try await Task.sleep(for: .seconds(slowDown)) }
                if form {
                    return html(
                        .unauthorized, try pages.login(language, username: username, error: pages.catalogue.text("loginFailed", language)), request)
                }
                return JSONResponse.make(status: .unauthorized, APIProblem(error: "login_failed", message: "wrong username or password"))
            case .throttled(let seconds):
                metrics.signInFailure("throttled")
                if form {
                    var response = html(
                        .tooManyRequests,
                        try pages.login(
                            language, username: username,
                            error: pages.catalogue.text(
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
        router.post("logout") { request, _ in
            if let token = request.cookies[SessionCookie.name]?.value { try await repositories.accounts.logout(sessionToken: token) }
            let ended = Cookie(name: SessionCookie.name, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict)
            // The page's sign-out button goes back to the sign-in page; API clients get 204.
            if request.headers[.accept]?.contains("text/html") == true {
                return Response(status: .seeOther, headers: [.location: "/login", .setCookie: ended.description])
            }
            return Response(status: .noContent, headers: [.setCookie: ended.description])
        }
        return router
    }

    /// The page language: `?lang=` when given, else the one chosen before (remembered in a
    /// cookie), else the browser's Accept-Language.
    func language(of request: Request) -> Language {
        request.query("lang").flatMap(Language.init(rawValue:)) ?? request.cookies[Self.languageCookie].flatMap { Language(rawValue: $0.value) }
            ?? Language.preferred(acceptLanguage: request.headers[.acceptLanguage])
    }
}

struct Credentials: Decodable {
    var username: String?
    var password: String?
}
