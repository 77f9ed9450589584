import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

extension RegistryServices {
    /// The public sign-in routes: a page with a form, and POST /login taking the form or JSON.
    func addLoginRoutes(to router: Router<RegistryRequestContext>) {
        router.get("login") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: LoginPage.html)))
        }
        router.post("login") { request, context in
            let data = try await request.bodyBytes(limit: 16_384)
            let form = request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
            let credentials = form ? Credentials(form: data) : try decodeInput(Credentials.self, from: data)
            guard let username = credentials?.username, let password = credentials?.password, !username.isEmpty, !password.isEmpty else {
                throw ValidationFailure([FieldProblem(field: "username", rule: "required", message: "username and password are required")])
            }
            let address = context.remoteAddress?.ipAddress ?? "unknown"
            switch try await repositories.accounts.login(username: username, password: password, address: address, rules: config.auth) {
            case .success(let principal, let token):
                let secure = config.auth.secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
                let cookie = "\(SessionCookie.name)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(config.auth.sessionIdleMinutes * 60)"
                    + (secure ? "; Secure" : "")
                return JSONResponse.make(status: .ok, data: try JSONResponse.body(["username": principal.username, "role": principal.role.rawValue]),
                                         headers: [.setCookie: cookie])
            case .failure:
                return JSONResponse.make(status: .unauthorized, APIProblem(error: "login_failed", message: "wrong username or password"))
            case .throttled(let seconds):
                return JSONResponse.make(status: .tooManyRequests,
                                         data: try JSONResponse.body(APIProblem(error: "too_many_attempts",
                                                                                message: "too many failed sign-ins; try again in \(seconds / 60) minutes")),
                                         headers: [.retryAfter: String(seconds)])
            }
        }
        router.post("logout") { request, _ in
            if let token = request.cookies[SessionCookie.name]?.value { try await repositories.accounts.logout(sessionToken: token) }
            return Response(status: .noContent, headers: [.setCookie: "\(SessionCookie.name)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"])
        }
    }
}

struct Credentials: Decodable {
    var username: String?
    var password: String?

    /// Reads an `application/x-www-form-urlencoded` body.
    init?(form data: Data) {
        var fields: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        username = fields["username"]
        password = fields["password"]
    }
}

/// The sign-in page: plain HTML, no script, usable on any clinic browser.
enum LoginPage {
    static let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sign in · SCN Outcome Registry</title>
        <style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
        label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font-size:1rem}button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}</style>
        </head><body>
        <h1>SCN Outcome Registry</h1>
        <form method="post" action="/login">
        <label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        </body></html>
        """
}
