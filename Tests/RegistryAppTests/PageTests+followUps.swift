import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryAnalytics
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Follow-up over HTTP: the due list per role and site, a patient link answered end to end, what
/// an invalid link shows, the rate limit, and an answer counting exactly as a clinician's score.
/// The harness's today is 2026-06-15; a session on 2026-05-25 makes the 2-week follow-up
/// (due 2026-06-08, window 06-01 to 06-22) overdue.
extension PageTests {
    func treat(_ client: some TestClientProtocol, _ h: APIHarness, course: UUID) async throws {
        #expect(
            try await client.post(
                "/api/v1/courses/\(course)/pain-scores", #"{"recordedOn":"2026-05-20","timepoint":"baseline","nrs":8}"#, token: h.clinician
            ).status == .created)
        #expect(
            try await client.post(
                "/api/v1/courses/\(course)/sessions",
                #"{"sessionOn":"2026-05-25","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}"#,
                token: h.clinician
            ).status == .created)
    }

    /// Makes a link from the course page; returns its token.
    func makeLink(_ client: some TestClientProtocol, course: UUID, cookie: String) async throws -> String {
        let (_, coursePage, _) = try await page(client, "/courses/\(course)", cookie: cookie)
        #expect(coursePage.contains("2 weeks") && coursePage.contains("overdue"))
        let csrf = try #require(hidden(coursePage, "csrf"))
        let path = "/courses/\(course.uuidString.lowercased())"
        let (status, _, headers) = try await post(client, path + "/follow-up-links", "csrf=\(csrf)", cookie: cookie)
        // Post/redirect/get: the link reaches the course page in a cookie for that page alone, two minutes long.
        #expect(status == .seeOther && headers[.location] == path + "#issued")
        let carried = try #require(headers[values: .setCookie].first { $0.hasPrefix("scn_issued_link=") })
        #expect(carried.contains("Path=\(path)") && carried.contains("Max-Age=120") && carried.contains("HttpOnly"))
        let issued = String(carried.split(separator: ";")[0])
        let (_, shown, pageHeaders) = try await page(client, path, cookie: cookie + "; " + issued)
        #expect(pageHeaders[.cacheControl] == "no-store")
        #expect(
            pageHeaders[values: .setCookie].contains { $0.hasPrefix("scn_issued_link=;") && $0.contains("Max-Age=0") }, "shown once, then cleared")
        // The link comes first on the page, to copy or send with LINE.
        let notice = try #require(shown.range(of: "id=\"issued\""))
        #expect(notice.lowerBound < (shown.range(of: "class=\"summary\"")?.lowerBound ?? shown.startIndex))
        #expect(
            shown.contains("data-copy=\"issued-link\"") && shown.contains("href=\"https://line.me/R/share?text=http%3A%2F%2F127.0.0.1%3A0%2Ff%2F"))
        // A reload (the cookie gone) shows the page without it and makes no second link.
        let (_, reloaded, _) = try await page(client, path, cookie: cookie)
        #expect(!reloaded.contains("id=\"issued\""))
        return try #require(shown.firstMatch(of: try Regex("/f/([A-Za-z0-9_-]+)</code>"))?[1].substring).description
    }

    /// The fixture course treated, a clinician signed in, and a link made: (cookie, token).
    func linkedCourse(_ client: some TestClientProtocol, _ h: APIHarness) async throws -> (cookie: String, token: String) {
        try await treat(client, h, course: h.fixture.courseId)
        let cookie = try await signIn(client, h, username: "dr.followup")
        return (cookie, try await makeLink(client, course: h.fixture.courseId, cookie: cookie))
    }

    func answer(
        _ client: some TestClientProtocol, _ token: String, _ form: String, language: String = "en"
    ) async throws -> (HTTPResponse.Status, String) {
        let reply = try await client.execute(
            uri: "/f/\(token)", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .acceptLanguage: language],
            body: ByteBuffer(string: form))
        // Answered or not, a phone is sent back to the link's page (post/redirect/get), with what it says carried in a cookie.
        guard reply.status == .seeOther else { return (reply.status, String(buffer: reply.body)) }
        #expect(reply.headers[.location] == "/f/\(token)")
        var headers: HTTPFields = [.acceptLanguage: language]
        if let carried = reply.headers[.setCookie] { headers[.cookie] = String(carried.split(separator: ";")[0]) }
        let page = try await client.execute(uri: "/f/\(token)", method: .get, headers: headers)
        return (page.status, String(buffer: page.body))
    }

    /// A patient tapping "send" twice: both taps arrive at once, both are thanked, one answer is kept.
    @Test func twoTapsOfSendAtOnceAreThankedBothAndKeptOnce() async throws {
        try await APIHarness.run { h, client in
            try await treat(client, h, course: h.fixture.courseId)
            let (_, token) = try await linkedCourse(client, h)
            let before = try await h.rowCounts()
            async let first = answer(client, token, "nrs=2&pgic=6&painCameBack=no")
            async let second = answer(client, token, "nrs=2&pgic=6&painCameBack=no")
            for (status, page) in try await [first, second] {
                #expect(status == .ok && page.contains("Your answer has reached your clinic."), "\(page)")
            }
            let after = try await h.rowCounts()
            #expect(after["follow_up_answers"] == (before["follow_up_answers"] ?? 0) + 1 && after["pain_scores"] == (before["pain_scores"] ?? 0) + 1)
        }
    }

    @Test func theDueListShowsWhoToAskAtMySitesUntilTheyAnswer() async throws {
        try await APIHarness.run { h, client in
            try await treat(client, h, course: h.fixture.courseId)
            let due = try await client.get("/api/v1/follow-ups/due", token: h.clinician).json["items"] as? [[String: Any]]
            let item = try #require(due?.first)
            #expect(due?.count == 1 && (item["patient"] as? [String: Any])?["mrn"] as? String == "MRN-1")
            #expect(
                (item["followUp"] as? [String: Any])?["state"] as? String == "overdue"
                    && (item["followUp"] as? [String: Any])?["dueOn"] as? String == "2026-06-08")
            #expect((try await client.get("/api/v1/follow-ups/due", token: h.tokens["manager"]).json["items"] as? [Any])?.count == 1)
            #expect((try await client.get("/api/v1/follow-ups/due", token: h.tokens["other"]).json["items"] as? [Any])?.count == 0)
            #expect(try await client.get("/api/v1/follow-ups/due", token: h.tokens["researcher"]).status == .forbidden)
            let cookie = try await signIn(client, h, username: "dr.followup")
            let (_, list, _) = try await page(client, "/follow-ups", cookie: cookie)
            #expect(list.contains("Doe Jane") && list.contains("2026-06-08") && list.contains("overdue"))
            let (_, home, _) = try await page(client, "/home", cookie: cookie)
            #expect(home.components(separatedBy: "id=\"due\"").last?.components(separatedBy: "id=\"awaiting\"").first?.contains("Doe Jane") == true)
            // Reached by phone: the clinician's follow-up score closes it.
            #expect(
                try await client.post(
                    "/api/v1/courses/\(h.fixture.courseId)/pain-scores", #"{"recordedOn":"2026-06-15","timepoint":"follow_up","nrs":3}"#,
                    token: h.clinician
                ).status == .created)
            #expect((try await client.get("/api/v1/follow-ups/due", token: h.clinician).json["items"] as? [Any])?.count == 0)
        }
    }

    @Test func aPatientAnswersFromTheirLinkOnceAndTheAnswerJoinsTheRecord() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            let (cookie, token) = try await linkedCourse(client, h)
            let opened = try await client.execute(uri: "/f/\(token)", method: .get, headers: [.acceptLanguage: "zh-TW"])
            let form = String(buffer: opened.body)
            #expect(
                opened.status == .ok && form.contains("Test Clinic") && form.contains("疼痛是否回到治療前的樣子") && !form.contains("Doe")
                    && !form.contains("MRN-1"))
            let (missing, again) = try await answer(client, token, "pgic=6")
            #expect(missing == .unprocessableContent && fieldError(again, "nrs") != nil && fieldError(again, "painCameBack") != nil)
            func completeness(_ query: String = "") async throws -> [String: Any]? {
                let report = try await client.get("/api/v1/reports/outcomes\(query)", token: h.tokens["manager"]).json
                return ((report["followUp"] as? [String: Any])?["milestones"] as? [[String: Any]])?.first?["answered"] as? [String: Any]
            }
            #expect(try await completeness()?["total"] as? Int == 0)  // overdue, not yet closed
            let (saved, thanks) = try await answer(client, token, "nrs=2&pgic=6&painCameBack=yes")
            #expect(saved == .ok && thanks.contains("Your answer has reached your clinic."))
            // The same answer sent again (a double tap) is thanked for again and kept once; another
            // answer to the same follow-up is not kept, and the patient is told it was already received.
            let (_, twice) = try await answer(client, token, "nrs=2&pgic=6&painCameBack=yes")
            #expect(twice.contains("Your answer has reached your clinic."))
            let (_, changed) = try await answer(client, token, "nrs=5&pgic=6&painCameBack=yes")
            #expect(changed.contains("Your answer was already received."))
            let answered = try await completeness()
            #expect(answered?["successes"] as? Int == 1 && answered?["total"] as? Int == 1)
            // The report counts the patient's score; leaving patients' scores out, the course has not improved.
            let all = try await client.get("/api/v1/reports/outcomes", token: h.tokens["manager"]).json["response"] as? [String: Any]
            let clinicians =
                try await client.get("/api/v1/reports/outcomes?source=clinician", token: h.tokens["manager"]).json["response"] as? [String: Any]
            #expect(all?["successes"] as? Int == 1 && clinicians?["successes"] as? Int == 0)
            let scores = try await client.get("/api/v1/courses/\(course)", token: h.clinician).json["painScores"] as? [[String: Any]] ?? []
            let patient = scores.filter { $0["source"] as? String == "patient" }
            #expect(
                patient.count == 1 && patient.first?["nrs"] as? Int == 2 && patient.first?["recordedOn"] as? String == "2026-06-15"
                    && patient.first?["timepoint"] as? String == "follow_up" && patient.first?["pgic"] as? Int == 6)
            let (_, coursePage, _) = try await page(client, "/courses/\(course)", cookie: cookie)
            #expect(coursePage.contains("from the patient") && coursePage.contains("answered (2026-06-15)"))
            // "Yes, it came back" is a review item for the clinician, not a recurrence.
            let (_, list, _) = try await page(client, "/follow-ups", cookie: cookie)
            #expect(list.contains("Patients who said the pain came back") && list.contains("/follow-ups/reviews/"))
            // Resolving: another site's clinician does not find it; a second click changes nothing.
            let resolve = try #require(list.firstMatch(of: try Regex("action=\"(/follow-ups/reviews/[^\"]+/resolve)\""))?[1].substring).description
            let elsewhere = try await signIn(client, h, username: "dr.elsewhere", site: "OTHER")
            let (_, elsewhereForm, _) = try await page(client, "/patients/new", cookie: elsewhere)
            #expect(try await post(client, resolve, "csrf=\(try #require(hidden(elsewhereForm, "csrf")))", cookie: elsewhere).0 == .notFound)
            let csrf = try #require(hidden(list, "csrf"))
            #expect(try await post(client, resolve, "csrf=\(csrf)", cookie: cookie).0 == .seeOther)
            #expect(try await post(client, resolve, "csrf=\(csrf)", cookie: cookie).0 == .seeOther)
            let (_, resolvedList, _) = try await page(client, "/follow-ups", cookie: cookie)
            #expect(!resolvedList.contains(resolve))
            let events = try await client.get("/api/v1/courses/\(course)", token: h.clinician).json["events"] as? [Any]
            #expect(events?.isEmpty == true)
            // The audit names the link as the actor; the export carries the source.
            let audit =
                try await client.get("/api/v1/audit?recordId=\(patient.first?["id"] as? String ?? "")", token: h.tokens["admin"]).json["items"]
                as? [[String: Any]]
            #expect((audit?.first?["actor"] as? String)?.hasPrefix("follow-up link ") == true)
            // The audit page says it in the reader's language.
            let admin = try await signIn(client, h, username: "adm.followup")
            let (_, auditPage, _) = try await page(
                client, "/admin/audit?recordId=\(patient.first?["id"] as? String ?? "")", cookie: admin, language: "zh-TW")
            #expect(auditPage.contains("病人（經由連結 ") && auditPage.contains("<span class=\"tag\">新增</span>"))
            let csv = try await client.get("/api/v1/exports/pain_scores.csv", token: h.tokens["researcher"])
            let lines = String(decoding: csv.body, as: UTF8.self).split(separator: "\r\n")
            #expect(lines.first?.hasSuffix(",source") == true && lines.contains { $0.hasSuffix(",patient") })
        }
    }

    @Test func anUnknownExpiredRevokedOrAlteredLinkShowsOneClearPageThatRevealsNothing() async throws {
        try await APIHarness.run { h, client in
            let course = h.fixture.courseId
            let (cookie, token) = try await linkedCourse(client, h)
            let unknown = try await client.execute(uri: "/f/nothing-like-a-token", method: .get, headers: [.acceptLanguage: "en"])
            let altered = try await client.execute(uri: "/f/\(token.dropLast())x", method: .get, headers: [.acceptLanguage: "en"])
            #expect(unknown.status == .notFound && altered.status == .notFound && String(buffer: unknown.body) == String(buffer: altered.body))
            #expect(String(buffer: unknown.body).contains("This link is not valid.") && !String(buffer: unknown.body).contains("Test Clinic"))
            let (_, coursePage, _) = try await page(client, "/courses/\(course)", cookie: cookie)
            let revoke = try #require(coursePage.firstMatch(of: try Regex("action=\"(/courses/[^\"]+/revoke)\""))?[1].substring).description
            #expect(try await post(client, revoke, "csrf=\(try #require(hidden(coursePage, "csrf")))", cookie: cookie).0 == .seeOther)
            let revoked = try await client.execute(uri: "/f/\(token)", method: .get, headers: [.acceptLanguage: "en"])
            #expect(revoked.status == .notFound && String(buffer: revoked.body) == String(buffer: unknown.body))
            let (status, _) = try await answer(client, token, "nrs=2&painCameBack=no")
            #expect(status == .notFound)
            // Expired (a day ago, whatever the time now): the same page.
            try await h.database.withConnection {
                try await $0.query(
                    "UPDATE follow_up_links SET created_at = now() - interval '31 days', expires_at = now() - interval '1 day', revoked_at = NULL",
                    logger: TestDatabase.logger)
            }
            let expired = try await client.execute(uri: "/f/\(token)", method: .get, headers: [.acceptLanguage: "en"])
            #expect(expired.status == .notFound && String(buffer: expired.body) == String(buffer: unknown.body))
            #expect(try await h.rowCounts()["pain_scores"] == 1)  // the baseline only
        }
    }

    /// The link a clinician hands a patient comes from `server.publicBaseUrl`, never the request's Host.
    @Test func aPatientLinkIsBuiltFromThePublicBaseURLWhateverTheHostHeaderSays() async throws {
        try await APIHarness.run(.live, configure: { $0.server.publicBaseUrl = "https://registry.clinic.example/" }) { h, client in
            try await treat(client, h, course: h.fixture.courseId)
            let cookie = try await signIn(client, h, username: "dr.followup")
            let (_, coursePage, _) = try await page(client, "/courses/\(h.fixture.courseId)", cookie: cookie)
            let csrf = try #require(hidden(coursePage, "csrf"))
            // Over a real socket, so the request's Host is the attacker's.
            let form = "csrf=\(csrf)"
            let socket = try RawSocket(port: try #require(client.port))
            socket.send(
                "POST /courses/\(h.fixture.courseId.uuidString.lowercased())/follow-up-links HTTP/1.1\r\nHost: evil.example\r\nCookie: \(cookie)\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n\(form)")
            var answered = ""
            while let part = await socket.receive(waitingSeconds: 5), !part.isEmpty { answered += part }
            #expect(answered.hasPrefix("HTTP/1.1 303") && !answered.contains("evil.example"))
            let issued = try #require(answered.firstMatch(of: try Regex("scn_issued_link=[A-Za-z0-9_-]+"))?.output[0].substring).description
            let (_, shown, _) = try await page(client, "/courses/\(h.fixture.courseId)", cookie: cookie + "; " + issued)
            #expect(shown.contains("https://registry.clinic.example/f/") && !shown.contains("evil.example"))
        }
    }

    /// Guesses at tokens from an address are counted apart: a real patient behind the same
    /// shared address still answers.
    @Test func guessedTokensDoNotUseUpTheAddresssAnswers() async throws {
        try await APIHarness.run(configure: { $0.followUp.answersPerAddressPerHour = 3 }) { h, client in
            let (_, token) = try await linkedCourse(client, h)
            for _ in 0..<3 { #expect(try await answer(client, "guess-\(UUID())", "nrs=2").0 == .notFound) }
            #expect(try await answer(client, "guess-\(UUID())", "nrs=2").0 == .tooManyRequests)
            let (status, page) = try await answer(client, token, "nrs=2&painCameBack=no")
            #expect(status == .ok && page.contains("reached your clinic"), "\(page)")
        }
    }

    @Test func answersAreRateLimitedPerLink() async throws {
        try await APIHarness.run { h, client in
            let (_, token) = try await linkedCourse(client, h)
            let limit = try TestDatabase.config().followUp.answersPerLinkPerHour
            for _ in 0..<limit { #expect(try await answer(client, token, "nrs=11").0 == .unprocessableContent) }
            let (status, page) = try await answer(client, token, "nrs=2&painCameBack=no")
            #expect(status == .tooManyRequests && page.contains("Too many tries."))
        }
    }

    @Test func aPatientsAnswerCountsInTheOutcomeExactlyAsTheClinicianScoreOfTheSameDay() async throws {
        try await APIHarness.run { h, client in
            let first = h.fixture.courseId
            let second = try #require(
                try await client.post(
                    "/api/v1/courses",
                    """
                    {"patientId":"\(h.fixture.patientId)","siteId":"\(h.fixture.siteId)","clinicianId":"\(h.fixture.clinicianId)","side":"right","icd10":"G57.81","startedOn":"2026-01-10"}
                    """, token: h.clinician
                ).json["id"] as? String
            ).lowercased()
            try await treat(client, h, course: first)
            try await treat(client, h, course: UUID(uuidString: second)!)
            let cookie = try await signIn(client, h, username: "dr.followup")
            let token = try await makeLink(client, course: first, cookie: cookie)
            #expect(try await answer(client, token, "nrs=3&painCameBack=no").0 == .ok)
            #expect(
                try await client.post(
                    "/api/v1/courses/\(second)/pain-scores", #"{"recordedOn":"2026-06-15","timepoint":"follow_up","nrs":3}"#, token: h.clinician
                ).status == .created)
            let courses = Repositories(database: h.database, rules: try TestDatabase.config().clinical, followUp: try TestDatabase.config().followUp)
                .courses
            let a = try #require(try await courses.outcome(first, scope: nil)),
                b = try #require(try await courses.outcome(UUID(uuidString: second)!, scope: nil))
            #expect(a.improvedOn == CalendarDate(iso: "2026-06-15") && a.sessionsToImprovement == 1)
            #expect(
                a.improvedOn == b.improvedOn && a.sessionsToImprovement == b.sessionsToImprovement && a.cohort == b.cohort && a.baseline == b.baseline
                    && a.notEvaluable == b.notEvaluable && a.daysToRecurrenceOrCensoring == b.daysToRecurrenceOrCensoring)
        }
    }
}
