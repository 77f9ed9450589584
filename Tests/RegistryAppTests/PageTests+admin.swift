import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The admin's pages: accounts, tokens shown once and revoked, the audit trail with before and
/// after side by side; nobody else gets in.
extension PageTests {
    @Test func anAdminAddsAndDisablesUsersAndEachMistakeIsNamedBesideItsField() async throws {
        try await APIHarness.run { h, client in
            let admin = try await signIn(client, h, username: "adm.pages")
            let (invalid, again, _) = try await submit(
                client, "/admin/users", to: "/admin/users",
                ["username": "A", "displayName": "Dr New", "role": "manager", "sites": "", "password": "short"], cookie: admin)
            #expect(invalid == .unprocessableContent && fieldError(again, "username")?.contains("must be 3 to 64") == true)
            #expect(fieldError(again, "sites") == "Sites a manager needs at least one site" && again.contains("value=\"Dr New\""))
            let (short, tooShort, _) = try await submit(
                client, "/admin/users", to: "/admin/users",
                ["username": "dr.new", "displayName": "Dr New", "role": "clinician", "sites": "TEST", "password": "short"], cookie: admin)
            #expect(short == .unprocessableContent && fieldError(tooShort, "password")?.contains("at least") == true)
            let valid = ["username": "dr.new", "displayName": "Dr New", "role": "clinician", "sites": "test", "password": "a long enough password"]
            #expect(try await submit(client, "/admin/users", to: "/admin/users", valid, cookie: admin).0 == .seeOther)
            let (duplicate, clash, _) = try await submit(client, "/admin/users", to: "/admin/users", valid, cookie: admin)
            #expect(duplicate == .unprocessableContent && fieldError(clash, "username")?.contains("already exists") == true)
            let (_, list, _) = try await page(client, "/admin/users", cookie: admin)
            #expect(
                list.contains(
                    "<td translate=\"no\">dr.new</td><td translate=\"no\">Dr New</td><td>clinician</td><td translate=\"no\">TEST</td><td>active</td>")
            )
            #expect(!list.contains("action=\"/admin/users/adm.pages/disable\""))  // not oneself
            let (_, form, _) = try await page(client, "/admin/users", cookie: admin)
            let csrf = try #require(hidden(form, "csrf"))
            #expect(try await post(client, "/admin/users/dr.new/disable", "csrf=wrong", cookie: admin).0 == .forbidden)
            #expect(try await post(client, "/admin/users/dr.new/disable", "csrf=\(csrf)", cookie: admin).0 == .seeOther)
            let (_, after, _) = try await page(client, "/admin/users", cookie: admin)
            #expect(
                after.contains(
                    "<td translate=\"no\">dr.new</td><td translate=\"no\">Dr New</td><td>clinician</td><td translate=\"no\">TEST</td><td>disabled</td>"
                ))
            // A second click changes nothing and is not audited again; an unknown account is not found.
            let audited = try await h.database.withConnection { connection in
                try await connection.query(
                    "SELECT count(*) FROM audit_log WHERE record_table = 'users' AND action = 'correct'", logger: TestDatabase.logger
                )
                .decode(Int.self).first { _ in true }
            }
            #expect(try await post(client, "/admin/users/dr.new/disable", "csrf=\(csrf)", cookie: admin).0 == .seeOther)
            #expect(
                try await h.database.withConnection { connection in
                    try await connection.query(
                        "SELECT count(*) FROM audit_log WHERE record_table = 'users' AND action = 'correct'", logger: TestDatabase.logger
                    )
                    .decode(Int.self).first { _ in true }
                } == audited)
            #expect(try await post(client, "/admin/users/nobody.here/disable", "csrf=\(csrf)", cookie: admin).0 == .notFound)
            let clinician = try await signIn(client, h, username: "dr.admincheck")
            #expect(try await page(client, "/admin/users", cookie: clinician).0 == .forbidden)
        }
    }

    @Test func aTokenIsShownOnceWorksAndStopsWhenRevoked() async throws {
        try await APIHarness.run { h, client in
            let admin = try await signIn(client, h, username: "adm.pages")
            // A token for someone else would act, and be audited, as them: refused, nothing issued.
            let (refused, again, _) = try await submit(
                client, "/admin/tokens", to: "/admin/tokens", ["username": "dr.test", "label": "EHR import", "days": "30"],
                cookie: admin)
            #expect(refused == .unprocessableContent && fieldError(again, "username") != nil && !again.contains("scn_t_"))
            #expect(!again.contains("<option value=\"dr.test\""))
            // Issued: a redirect (post/redirect/get) carrying it in a two-minute cookie for the tokens page only.
            let (status, _, headers) = try await submit(
                client, "/admin/tokens", to: "/admin/tokens", ["username": "adm.pages", "label": "EHR import", "days": "30"],
                cookie: admin)
            let carried = try #require(headers[.setCookie])
            #expect(status == .seeOther && headers[.location] == "/admin/tokens")
            #expect(carried.contains("Path=/admin/tokens") && carried.contains("HttpOnly") && carried.contains("Max-Age=120"), "\(carried)")
            let shownOnce = String(carried.split(separator: ";")[0])
            let (shownStatus, shown, shownHeaders) = try await page(client, "/admin/tokens", cookie: admin + "; " + shownOnce)
            #expect(shownStatus == .ok && shownHeaders[.cacheControl] == "no-store" && shownHeaders[.setCookie]?.contains("Max-Age=0") == true)
            #expect(!shown.contains("?lang=zh-TW"), "no language switch, which would lose it")
            let token = try #require(shown.firstMatch(of: try Regex("<code class=\"secret\">(scn_t_[^<]+)</code>"))?[1].substring).description
            // Another admin's browser holding the cookie does not see it: it names a token of this admin.
            let other = try await signIn(client, h, username: "adm.other")
            #expect(!(try await page(client, "/admin/tokens", cookie: other + "; " + shownOnce).1.contains(token)))
            #expect(try await client.get("/api/v1/users", token: token).status == .ok)
            #expect(try await client.get("/api/v1/patients/\(h.fixture.patientId)", token: token).status == .forbidden)
            let (_, list, _) = try await page(client, "/admin/tokens", cookie: admin)
            #expect(list.contains("EHR import") && !list.contains(token))
            let id = try #require(list.firstMatch(of: try Regex("action=\"/admin/tokens/([0-9a-f-]+)/revoke\""))?[1].substring).description
            let csrf = try #require(hidden(list, "csrf"))
            #expect(try await post(client, "/admin/tokens/\(id)/revoke", "csrf=\(csrf)", cookie: admin).0 == .seeOther)
            #expect(try await client.get("/api/v1/users", token: token).status == .unauthorized)
            let (_, bad, _) = try await submit(
                client, "/admin/tokens", to: "/admin/tokens", ["username": "adm.pages", "label": "", "days": "900"], cookie: admin)
            #expect(fieldError(bad, "label") != nil && fieldError(bad, "days") != nil)
        }
    }

    /// The admin may not read identities, so the trail shows an identity row's patient and site only, on the page and in JSON.
    @Test func theAuditTrailWithholdsIdentitiesFromTheAdmin() async throws {
        try await APIHarness.run { h, client in
            let registered = try await client.post(
                "/api/v1/patients",
                """
                {"siteId":"\(h.fixture.siteId)","mrn":"ID-77","familyName":"Lin","givenName":"Mei","dateOfBirth":"1961-07-08","sex":"female","phone":"0912345678","email":"mei@example.org"}
                """, token: h.clinician)
            let id = try #require(registered.json["id"] as? String).lowercased()
            let identity = ["ID-77", "Lin", "Mei", "1961-07-08", "0912345678", "mei@example.org"]
            let json = try await client.get("/api/v1/audit?recordId=\(id)", token: h.tokens["admin"])
            #expect(json.status == .ok && json.text.contains("withheld"))
            let admin = try await signIn(client, h, username: "adm.pages")
            let (status, html, _) = try await page(client, "/admin/audit?recordId=\(id)", cookie: admin)
            #expect(status == .ok && html.contains("withheld"))
            for value in identity {
                #expect(!json.text.contains(value), "\(value)")
                #expect(!html.contains(value), "\(value)")
            }
        }
    }

    @Test func theAuditTrailShowsAChangesBeforeAndAfterSideBySide() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            let created = try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":5}"#, token: h.clinician)
            let id = try #require(created.json["id"] as? String).lowercased()
            #expect(
                try await client.send(
                    .patch, "/api/v1/courses/\(course)/pain-scores/\(id)", #"{"nrs":6}"#, token: h.clinician, extra: [.ifMatch: "\"1\""]
                ).status == .ok)
            let admin = try await signIn(client, h, username: "adm.pages")
            let (status, html, _) = try await page(client, "/admin/audit?recordId=\(id)", cookie: admin)
            #expect(status == .ok && html.contains("dr.test"))
            #expect(html.contains("<tr class=\"changed\"><th><code>nrs</code></th><td><code>5</code></td><td><code>6</code></td></tr>"), "\(html)")
            let (byUser, userPage, _) = try await page(client, "/admin/audit?user=adm.pages&from=2000-01-01&to=2100-01-01", cookie: admin)
            #expect(byUser == .ok && !userPage.contains(id))
            let (bad, badPage, _) = try await page(client, "/admin/audit?recordId=not-an-id", cookie: admin, language: "zh-TW")
            #expect(bad == .unprocessableContent && fieldError(badPage, "recordId") != nil)
            let manager = try await signIn(client, h, username: "mgr.audit")
            #expect(try await page(client, "/admin/audit", cookie: manager).0 == .forbidden)
        }
    }

    /// The admin verifies the audit chain from the page and the API; a row changed behind the
    /// application's back (as the database superuser) is named on both, in either language.
    @Test func theAdminVerifiesTheAuditChainFromThePageAndTheAPI() async throws {
        try await APIHarness.run { h, client in
            let admin = try await signIn(client, h, username: "adm.chain")
            let (_, plain, _) = try await page(client, "/admin/audit", cookie: admin)
            #expect(plain.contains("href=\"/admin/audit?verify=1\"") && !plain.contains("id=\"audit-chain\""))
            let (status, intact, _) = try await page(client, "/admin/audit?verify=1", cookie: admin)
            #expect(status == .ok && intact.contains("Audit trail intact"), "\(intact)")
            let api = try await client.get("/api/v1/audit/verify", token: h.tokens["admin"])
            #expect(api.status == .ok && api.json["intact"] as? Bool == true && api.json["firstBreak"] is NSNull)
            let verified = try #require(api.json["verified"] as? Int)
            #expect(verified > 5)
            // The page shows the chain's head as the API gives it.
            let head = try #require(api.json["head"] as? [String: Any])
            #expect(intact.contains("<p><code>\(head["seq"] as? Int ?? -1):\(head["hash"] as? String ?? "")</code></p>"))
            #expect(try await client.get("/api/v1/audit/verify", token: h.clinician).status == .forbidden)

            try await h.database.transaction { connection in
                try await connection.query("ALTER TABLE audit_log DISABLE TRIGGER USER", logger: TestDatabase.logger)
                try await connection.query("UPDATE audit_log SET actor_label = 'nobody' WHERE seq = 3", logger: TestDatabase.logger)
                try await connection.query("ALTER TABLE audit_log ENABLE TRIGGER USER", logger: TestDatabase.logger)
            }
            let broken = try await client.get("/api/v1/audit/verify", token: h.tokens["admin"])
            #expect(broken.json["intact"] as? Bool == false && broken.json["verified"] as? Int == 2)
            #expect((broken.json["firstBreak"] as? String)?.contains("(seq 3)") == true)
            let (_, zh, _) = try await page(client, "/admin/audit?verify=1", cookie: admin, language: "zh-TW")
            #expect(zh.contains("稽核紀錄遭到竄改") && zh.contains("error-summary") && zh.contains("(seq 3)"), "\(zh)")
        }
    }
}
