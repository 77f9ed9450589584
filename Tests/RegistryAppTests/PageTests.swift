import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The clinic's pages over HTTP: entry, sign-in by form, home with the patient search, the
/// patient and course pages, in both languages, with the headers every page carries.
@Suite struct PageTests {
    /// Signs in `username` through the sign-in form (a researcher if it starts with "res", a
    /// manager with "mgr", an admin with "adm", else a clinician, at `site`); returns the session cookie.
    func signIn(_ client: some TestClientProtocol, _ h: APIHarness, username: String, site: String = "TEST") async throws -> String {
        var auth = try TestDatabase.config().auth
        auth.bcryptCost = 4
        let role: Role =
            username.hasPrefix("res") ? .researcher : username.hasPrefix("mgr") ? .manager : username.hasPrefix("adm") ? .admin : .clinician
        _ = try? await AccountRepository(database: h.database).addUser(
            username: username, displayName: username, role: role,
            siteCodes: role.siteBound ? [site] : [], password: "a long enough password",
            rules: auth, actor: Fixture.actor)
        let reply = try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "username=\(username)&password=a+long+enough+password"))
        #expect(reply.status == .seeOther && reply.headers[.location] == "/")
        return String(try #require(reply.headers[.setCookie]).split(separator: ";")[0])
    }

    func page(
        _ client: some TestClientProtocol, _ uri: String, cookie: String?, language: String = "en"
    ) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        var headers: HTTPFields = [.acceptLanguage: language]
        if let cookie { headers[.cookie] = cookie }
        let reply = try await client.execute(uri: uri, method: .get, headers: headers)
        return (reply.status, String(buffer: reply.body), reply.headers)
    }

    @Test func theEntryLeadsToSignInThenHomeAndAWrongPasswordStaysOnTheForm() async throws {
        try await APIHarness.run { h, client in
            let (status, _, headers) = try await page(client, "/", cookie: nil)
            #expect(status == .seeOther && headers[.location] == "/login")
            let wrong = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .acceptLanguage: "zh-TW"],
                body: ByteBuffer(string: "username=nobody.here&password=wrong"))
            // Refused: to the sign-in page (post/redirect/get), which says why once, with the username kept.
            let carried = try #require(wrong.headers[.setCookie]).split(separator: ";")[0]
            #expect(wrong.status == .seeOther && wrong.headers[.location] == "/login" && carried.hasPrefix("scn_sign_in=failed."))
            let (refused, form, refusedHeaders) = try await page(client, "/login", cookie: String(carried), language: "zh-TW")
            #expect(refused == .unauthorized && refusedHeaders[.setCookie]?.contains("Max-Age=0") == true)
            #expect(form.contains("帳號或密碼錯誤") && form.contains("value=\"nobody.here\"") && form.contains("role=\"alert\""))
            let (_, again, _) = try await page(client, "/login", cookie: nil, language: "zh-TW")
            #expect(!again.contains("帳號或密碼錯誤"), "a reload (the cookie cleared) shows the plain form")
            let cookie = try await signIn(client, h, username: "dr.pages")
            let (entry, _, entryHeaders) = try await page(client, "/", cookie: cookie)
            #expect(entry == .seeOther && entryHeaders[.location] == "/home")
        }
    }

    @Test func homeFindsAPatientAndThePatientAndCoursePagesShowTheirRecords() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-01-12","timepoint":"baseline","nrs":8}"#, token: h.clinician
                ).status == .created)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/sessions",
                    #"{"sessionOn":"2026-01-12","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}"#,
                    token: h.clinician
                ).status == .created)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-02","timepoint":"follow_up","nrs":3}"#, token: h.clinician
                ).status == .created)
            let cookie = try await signIn(client, h, username: "dr.pages")
            let (status, home, headers) = try await page(client, "/home?q=mrn-1", cookie: cookie)
            #expect(status == .ok && home.contains("Doe Jane") && home.contains("/patients/\(h.fixture.patientId.uuidString.lowercased())"))
            #expect(headers[.cacheControl] == "no-store" && headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let (_, patient, _) = try await page(client, "/patients/\(h.fixture.patientId)", cookie: cookie)
            #expect(patient.contains("MRN-1") && patient.contains("/courses/\(course.uuidString.lowercased())"))
            let (courseStatus, coursePage, _) = try await page(client, "/courses/\(course)", cookie: cookie)
            #expect(courseStatus == .ok)
            #expect(coursePage.contains("improved after 1 session, on 2026-02-02"), "\(coursePage)")
            #expect(
                coursePage.contains("<svg") && coursePage.contains("class=\"session\"") && coursePage.contains("ultrasound-guided hydrodissection"))
            let (_, chinese, _) = try await page(client, "/courses/\(course)", cookie: cookie, language: "zh-TW")
            #expect(chinese.contains("治療 1 次後改善") && chinese.contains("超音波導引神經水解") && chinese.contains("<html lang=\"zh-TW\">"))
        }
    }

    @Test func homeListsTheCoursesWaitingForAScoreSinceTheirLastSession() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            let cookie = try await signIn(client, h, username: "dr.pages")
            func awaiting() async throws -> Bool {
                let (_, home, _) = try await page(client, "/home", cookie: cookie)
                let section = home.components(separatedBy: "id=\"awaiting\"").last?.components(separatedBy: "<h2>").first ?? ""
                return section.contains("/courses/\(course.uuidString.lowercased())")
            }
            #expect(try await awaiting() == false)  // no session yet
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/sessions",
                    #"{"sessionOn":"2026-01-12","procedures":[{"kind":"prp","volumeMl":4,"leukocytes":"poor"}]}"#,
                    token: h.clinician
                ).status == .created)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-01-12","timepoint":"post_procedure","nrs":2}"#,
                    token: h.clinician
                ).status == .created)
            #expect(try await awaiting() == true)  // a score right after the procedure does not count
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-01-26","timepoint":"follow_up","nrs":3}"#,
                    token: h.clinician
                ).status == .created)
            #expect(try await awaiting() == false)
        }
    }

    @Test func aResearcherGetsA403PageAndAnotherSitesRecordIsA404Page() async throws {
        try await APIHarness.run { h, client in
            let researcher = try await signIn(client, h, username: "res.pages")
            let (forbidden, body, _) = try await page(client, "/home", cookie: researcher)
            #expect(forbidden == .forbidden && body.contains("Not available to your role") && !body.contains("MRN-1"))
            let clinician = try await signIn(client, h, username: "dr.pages")
            let (missing, notFound, _) = try await page(client, "/courses/\(UUID())", cookie: clinician)
            #expect(missing == .notFound && notFound.contains("There is no such record at your sites."))
            let (signedOut, _, headers) = try await page(client, "/home", cookie: nil)
            #expect(signedOut == .seeOther && headers[.location] == "/login")
        }
    }

    @Test func aChosenLanguageIsRemembered() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.pages")
            let chosen = try await client.execute(uri: "/home?lang=zh-TW", method: .get, headers: [.cookie: cookie, .acceptLanguage: "en"])
            let remembered = String(try #require(chosen.headers[.setCookie]).split(separator: ";")[0])
            #expect(remembered == "scn_lang=zh-TW")
            let (_, next, _) = try await page(client, "/home", cookie: cookie + "; " + remembered, language: "en")
            #expect(next.contains("<html lang=\"zh-TW\">") && next.contains("查詢病人"))
        }
    }

    /// Reads the form's hidden fields from the course page.
    func hidden(_ page: String, _ name: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Posts a page's form as a browser does, following the redirect to the form kept as typed
    /// when it could not be saved (the page that answers 422 or 409); any other answer as it is.
    func post(
        _ client: some TestClientProtocol, _ uri: String, _ form: String, cookie: String, language: String = "en"
    ) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        let reply = try await client.execute(
            uri: uri, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded", .acceptLanguage: language],
            body: ByteBuffer(string: form))
        if reply.status == .seeOther, let location = reply.headers[.location], location.contains("?draft=") {
            return try await page(client, location, cookie: cookie, language: language)
        }
        return (reply.status, String(buffer: reply.body), reply.headers)
    }

    func scores(_ h: APIHarness) async throws -> Int {
        try await h.rowCounts()["pain_scores"] ?? 0
    }

    @Test func thePainScoreFormWritesOnceAndKeepsWhatWasTypedWhenARuleIsBroken() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.pages")
            let path = "/courses/\(h.fixture.courseId)"
            let (_, page, _) = try await self.page(client, path, cookie: cookie)
            let csrf = try #require(hidden(page, "csrf")), key = try #require(hidden(page, "idempotencyKey"))
            #expect(page.contains("name=\"nrs\" value=\"10\""))
            // No NRS and an ODI of 120: both named beside their fields, the date kept, nothing written.
            let (invalid, again, _) = try await post(
                client, path + "/pain-scores", "csrf=\(csrf)&idempotencyKey=\(key)&recordedOn=2026-02-01&timepoint=follow_up&odi=120",
                cookie: cookie, language: "zh-TW")
            #expect(invalid == .unprocessableContent)
            #expect(
                again.contains("請填寫目前疼痛指數") && again.contains("ODI（0–100，選填）須為 0 至 100 的整數") && again.contains("value=\"2026-02-01\""), "\(again)")
            let written = try await scores(h)
            #expect(again.contains("href=\"#nrs\"") && written == 0)
            // Sent twice with the form's key (a double click): one score.
            for _ in 0..<2 {
                let (status, _, headers) = try await post(
                    client, path + "/pain-scores", "csrf=\(csrf)&idempotencyKey=\(key)&recordedOn=2026-02-01&timepoint=follow_up&nrs=4",
                    cookie: cookie)
                #expect(status == .seeOther && headers[.location] == "/courses/\(h.fixture.courseId.uuidString.lowercased())")
            }
            let once = try await scores(h)
            #expect(once == 1)
            let (_, after, _) = try await self.page(client, path, cookie: cookie)
            #expect(after.contains("NRS 4 · follow-up"))
        }
    }

    @Test func aFormWithoutThisSessionsTokenOrFromAManagerWritesNothing() async throws {
        try await APIHarness.run { h, client in
            let cookie = try await signIn(client, h, username: "dr.pages")
            let path = "/courses/\(h.fixture.courseId)/pain-scores"
            let form = "idempotencyKey=\(UUID())&recordedOn=2026-02-01&timepoint=follow_up&nrs=4"
            let (missing, body, _) = try await post(client, path, form, cookie: cookie)
            #expect(missing == .forbidden && body.contains("The form has expired"))
            let (wrong, _, _) = try await post(client, path, "csrf=\(String(repeating: "0", count: 64))&" + form, cookie: cookie)
            #expect(wrong == .forbidden)
            // Another session's token does not work here either.
            let other = try await signIn(client, h, username: "dr.pages")
            let (_, page, _) = try await self.page(client, "/courses/\(h.fixture.courseId)", cookie: other)
            let (stolen, _, _) = try await post(client, path, "csrf=\(try #require(hidden(page, "csrf")))&" + form, cookie: cookie)
            #expect(stolen == .forbidden)
            let none = try await scores(h)
            #expect(none == 0)
        }
    }
}
