import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Sign-in by cookie, logout, throttling, and the audit of each attempt.
@Suite struct SignInControllerTests {
    func addLoginUser(_ h: APIHarness) async throws {
        var auth = try TestDatabase.config().auth
        auth.bcryptCost = 4
        _ = try await AccountRepository(database: h.database).addUser(
            username: "nurse.login", displayName: "Nurse", role: .clinician, siteCodes: ["TEST"],
            password: "correct horse battery", rules: auth, actor: Fixture.actor)
    }

    func login(_ client: some TestClientProtocol, _ password: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"username":"nurse.login","password":"\#(password)"}"#))
    }

    @Test func aSessionCookieSignsInAndLogoutEndsIt() async throws {
        try await APIHarness.run { h, client async throws in
            try await addLoginUser(h)
            let response = try await login(client, "correct horse battery")
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let session = String(cookie.split(separator: ";")[0])
            let courses = try await client.execute(uri: "/api/v1/courses", method: .get, headers: [.cookie: session])
            #expect(courses.status == .ok)
            _ = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: session])
            #expect(try await client.execute(uri: "/api/v1/courses", method: .get, headers: [.cookie: session]).status == .unauthorized)
        }
    }

    @Test func aFormSignInWithEscapedCharactersWorksAndThePageSpeaksTheBrowsersLanguage() async throws {
        try await APIHarness.run { h, client async throws in
            try await addLoginUser(h)
            let form = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=nurse.login&password=correct+horse%20battery"))
            // A browser's form is sent home (303), signed in.
            #expect(form.status == .seeOther && form.headers[.location] == "/")
            #expect(form.headers[.setCookie]?.contains("SameSite=Strict") == true)
            let chinese = try await client.execute(uri: "/login", method: .get, headers: [.acceptLanguage: "zh-TW,zh;q=0.9"])
            #expect(chinese.status == .ok && String(buffer: chinese.body).contains("登入"))
            let english = try await client.execute(uri: "/login?lang=en", method: .get, headers: [.acceptLanguage: "zh-TW"])
            #expect(String(buffer: english.body).contains(">Sign in</button>"))
        }
    }

    /// A refused sign-in form redirects to the sign-in page (post/redirect/get), which says why
    /// once with the status of the refusal: a missing password 422, then, past the lockout, 429
    /// with Retry-After; the password is never in what is carried.
    @Test func aRefusedFormSignInRedirectsToThePageThatSaysWhyOnce() async throws {
        try await APIHarness.run(configure: {
            $0.auth.slowdownAfterFailures = 10
            $0.auth.lockoutAfterFailures = 2
        }) { h, client async throws in
            try await addLoginUser(h)
            func post(_ body: String) async throws -> (String, TestResponse) {
                let reply = try await client.execute(
                    uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
                #expect(reply.status == .seeOther && reply.headers[.location] == "/login")
                let cookie = String(try #require(reply.headers[.setCookie]).split(separator: ";")[0])
                let page = try await client.execute(uri: "/login", method: .get, headers: [.cookie: cookie, .acceptLanguage: "en"])
                return (cookie, page)
            }
            let (missing, missingPage) = try await post("username=nurse.login&password=")
            #expect(missing == "scn_sign_in=required.0.nurse.login" && missingPage.status == .unprocessableContent)
            #expect(String(buffer: missingPage.body).contains("value=\"nurse.login\""))
            // A username that is not one's shape is not carried back.
            let (odd, oddPage) = try await post("username=%3Cscript%3E&password=x")
            #expect(odd == "scn_sign_in=failed.0." && oddPage.status == .unauthorized)
            for _ in 0..<2 { _ = try await post("username=nurse.login&password=wrong+password+here") }
            let (locked, lockedPage) = try await post("username=nurse.login&password=correct+horse+battery")
            #expect(locked.hasPrefix("scn_sign_in=throttled.") && !locked.contains("horse"))
            #expect(lockedPage.status == .tooManyRequests && Int(lockedPage.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test func repeatedFailuresAreThrottledThenRefusedAndEveryAttemptIsAudited() async throws {
        try await APIHarness.run { h, client async throws in
            try await addLoginUser(h)
            var rules = try TestDatabase.config().auth
            rules.slowdownAfterFailures = 2
            rules.lockoutAfterFailures = 3
            // Through the store, which says how long to hold each answer (1 s after the second failure) and never sleeps itself.
            for expected in [0, 0, 1] {
                #expect(
                    try await AccountRepository(database: h.database).login(
                        username: "nurse.login", password: "wrong password!", address: "10.0.0.9", rules: rules)
                        == .failure(slowDownSeconds: expected))
            }
            let refused = try await AccountRepository(database: h.database).login(
                username: "nurse.login", password: "correct horse battery", address: "10.0.0.9", rules: rules)
            #expect(refused == .throttled(retryAfterSeconds: rules.lockoutMinutes * 60))
            let audit = try await AuditRepository(database: h.database).entries(AuditQuery(username: "nurse.login"), identities: true)
            #expect(audit.filter { $0.action == "login_failed" }.count == 4)
            // Through HTTP (the application's own thresholds: slowed after 3 failures, locked after
            // 10), a wrong password is a 401 that says nothing about which part was wrong.
            let wrong = try await login(client, "nope nope nope")
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("\"error\":\"login_failed\""))
        }
    }

    /// Behind a reverse proxy (server.trustProxy) the address throttled is the client's, the last
    /// X-Forwarded-For entry (the one the proxy appended); without it, the header is ignored.
    @Test(arguments: [(true, "203.0.113.9"), (false, "127.0.0.1")])
    func aTrustedProxysForwardedAddressIsTheOneThrottled(trustProxy: Bool, recorded: String) async throws {
        try await APIHarness.run(.live, configure: { $0.server.trustProxy = trustProxy }) { h, client async throws in
            try await addLoginUser(h)
            let wrong = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "198.51.100.1, 203.0.113.9"],
                body: ByteBuffer(string: #"{"username":"nurse.login","password":"wrong password!"}"#))
            #expect(wrong.status == .unauthorized)
            let addresses = try await h.database.withConnection { connection in
                var found: [String] = []
                for try await address in try await connection.query("SELECT address FROM login_attempts", logger: TestDatabase.logger).decode(
                    String.self)
                {
                    found.append(address)
                }
                return found
            }
            #expect(addresses == [recorded])
        }
    }

    /// A stranger who knows a username cannot keep its owner out: the address that failed is
    /// locked, the owner's usual address is not, a new address is; and refused attempts do not
    /// prolong the lock.
    @Test func aLockoutHoldsTheGuessersAddressNotTheOwnersAndRefusalsDoNotExtendIt() async throws {
        try await APIHarness.run { h, _ async throws in
            try await addLoginUser(h)
            let accounts = AccountRepository(database: h.database)
            var rules = try TestDatabase.config().auth
            rules.slowdownAfterFailures = 2
            rules.lockoutAfterFailures = 3
            rules.bcryptCost = 4
            guard
                case .success = try await accounts.login(
                    username: "nurse.login", password: "correct horse battery", address: "10.0.0.1", rules: rules)
            else {
                Issue.record("the owner could not sign in")
                return
            }
            for _ in 0..<3 {
                _ = try await accounts.login(username: "nurse.login", password: "wrong password!", address: "198.51.100.7", rules: rules)
            }
            for _ in 0..<5 {
                #expect(
                    try await accounts.login(username: "nurse.login", password: "wrong password!", address: "198.51.100.7", rules: rules)
                        == .throttled(retryAfterSeconds: rules.lockoutMinutes * 60))
            }
            #expect(
                try await accounts.login(username: "nurse.login", password: "correct horse battery", address: "203.0.113.5", rules: rules)
                    == .throttled(retryAfterSeconds: rules.lockoutMinutes * 60))
            guard
                case .success = try await accounts.login(
                    username: "nurse.login", password: "correct horse battery", address: "10.0.0.1", rules: rules)
            else {
                Issue.record("the owner's usual address was locked out by a stranger")
                return
            }
            // The counted failures age out of the window; the refusals made since do not hold the lock.
            try await h.database.withConnection {
                try await $0.query("UPDATE login_attempts SET at = at - interval '1 hour' WHERE NOT refused", logger: TestDatabase.logger)
            }
            guard
                case .success = try await accounts.login(
                    username: "nurse.login", password: "correct horse battery", address: "198.51.100.7", rules: rules)
            else {
                Issue.record("refused attempts kept the lock on")
                return
            }
        }
    }

    /// However busy, a session ends `auth.sessionMaxHours` after sign-in.
    @Test func aSessionKeptBusyStillEndsAtItsAbsoluteLifetime() async throws {
        try await APIHarness.run { h, client async throws in
            try await addLoginUser(h)
            let session = String(try #require(try await login(client, "correct horse battery").headers[.setCookie]).split(separator: ";")[0])
            #expect(try await client.execute(uri: "/api/v1/courses", method: .get, headers: [.cookie: session]).status == .ok)
            let hours = try TestDatabase.config().auth.sessionMaxHours
            try await h.database.withConnection {
                try await $0.query(
                    "UPDATE web_sessions SET created_at = now() - \(hours + 1) * interval '1 hour', last_seen_at = now()", logger: TestDatabase.logger
                )
            }
            try await APIHarness.outlastCredentialCache()
            #expect(try await client.execute(uri: "/api/v1/courses", method: .get, headers: [.cookie: session]).status == .unauthorized)
        }
    }

    @Test func aUsernameWithANulByteIsAWrongSignInNotADatabaseMessage() async throws {
        try await APIHarness.run { h, client async throws in
            let reply = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username":"nurse\u0000login","password":"whatever it is"}"#))
            #expect(reply.status == .unauthorized)
            let text = String(buffer: reply.body)
            #expect(text.contains("login_failed") && !text.contains("UTF8") && !text.contains("0x00"))
            let counted = try await h.database.withConnection {
                try await $0.query("SELECT count(*) FROM login_attempts WHERE NOT success", logger: TestDatabase.logger).decode(Int.self).first { _ in
                    true
                }
            }
            #expect(counted == 1)
        }
    }

    /// bcrypt reads 72 bytes: a longer password is refused when set, and never signs in.
    @Test func aPasswordLongerThanBcryptReadsIsRefused() async throws {
        try await APIHarness.run { h, _ async throws in
            var rules = try TestDatabase.config().auth
            rules.bcryptCost = 4
            let long = String(repeating: "a", count: 73)
            let accounts = AccountRepository(database: h.database)
            await #expect {
                _ = try await accounts.addUser(
                    username: "long.pw", displayName: "Long", role: .admin, siteCodes: [], password: long, rules: rules,
                    actor: Fixture.actor)
            } throws: { error in
                (error as? ValidationFailure)?.problems.map { "\($0.field):\($0.rule)" } == ["password:max_length"]
            }
            let exact = String(repeating: "b", count: 72)
            _ = try await accounts.addUser(
                username: "exact.pw", displayName: "Exact", role: .admin, siteCodes: [], password: exact, rules: rules, actor: Fixture.actor)
            #expect(
                try await accounts.login(username: "exact.pw", password: exact + "anything", address: "10.0.0.2", rules: rules)
                    == .failure(slowDownSeconds: 0))
            guard case .success = try await accounts.login(username: "exact.pw", password: exact, address: "10.0.0.2", rules: rules) else {
                Issue.record("a 72-byte password did not sign in")
                return
            }
        }
    }

    @Test func aSuccessfulLoginIsAudited() async throws {
        try await APIHarness.run { h, client async throws in
            try await addLoginUser(h)
            #expect(try await login(client, "correct horse battery").status == .ok)
            let audit = try await AuditRepository(database: h.database).entries(AuditQuery(username: "nurse.login"), identities: true)
            #expect(audit.contains { $0.action == "login" })
        }
    }

    @Test func passwordsShorterThanTwelveAreRefused() async throws {
        try await APIHarness.run { h, _ async throws in
            let error = await #expect(throws: ValidationFailure.self) {
                _ = try await AccountRepository(database: h.database).addUser(
                    username: "short.pw", displayName: "S", role: .admin, siteCodes: [],
                    password: "elevenchars", rules: try TestDatabase.config().auth, actor: Fixture.actor)
            }
            #expect(error?.problems.map(\.field) == ["password"] && error?.problems.map(\.rule) == ["min_length"])
        }
    }

    @Test func reportRunsAreAudited() async throws {
        try await APIHarness.run { h, client async throws in
            #expect(try await client.get("/api/v1/reports/outcomes?side=left", token: h.tokens["researcher"]).status == .ok)
            let audit = try await AuditRepository(database: h.database).entries(AuditQuery(username: "researcher.test"), identities: true)
            let run = try #require(audit.first { $0.action == "report" })
            #expect(run.route == "GET /api/v1/reports/outcomes" && run.after?.contains("left") == true)
        }
    }
}
