import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

/// A real headless Chromium (Debian's chromium and chromium-driver, driven by selenium from
/// PyPI) walks the pages of a live server in each language; screenshots land in
/// `.build/screenshots/` (out of git). `.ci/run` installs all of it and sets
/// REGISTRY_TEST_REQUIRE_TOOLS=1, so there it cannot be skipped.
@Suite(.serialized, .enabled(if: Browser.available || ExternalTools.required))
struct BrowserTests {

    /// The whole course in the browser: register a patient (one mistake first), open a course,
    /// a block 8 → 3 at 10 minutes (62.5%, positive, while typing and after saving), three
    /// hydrodissection sessions (D5W 10 mL) with scores, a correction, a void, the course page,
    /// and the pain-score form by keyboard alone.
    @Test(arguments: ["en", "zh-TW"])
    func aClinicianLogsAWholeCourseInTheBrowser(language: String) async throws {
        #expect(Browser.available, "chromium-driver and selenium are needed")
        try await APIHarness.run(.live) { h, client in
            try await Browser.addUsers(h, [("dr.browser", .clinician, ["TEST"])])
            let today = CalendarDate(APIHarness.now, in: try TestDatabase.config().clinicTimeZone).description
            let before = try await h.rowCounts()
            try await Browser.walk(Browser.script, client, ["dr.browser", Browser.password, language, Browser.screenshots.path, today])
            // What the walk saved, once each: nothing lost, nothing written twice.
            let after = try await h.rowCounts()
            for (table, added) in [
                "patient_identities": 1, "treatment_courses": 1, "diagnostic_blocks": 1, "treatment_sessions": 3, "procedures": 3, "pain_scores": 6,
            ] {
                #expect((after[table] ?? 0) - (before[table] ?? 0) == added, "\(table)")
            }
        }
    }
}

extension BrowserTests {
    /// The dashboard on the demo data for a manager (two branches) and a researcher: charts drawn,
    /// a filter narrows the figures, the print-to-PDF keeps every chart; a clinician's 403 page.
    @Test(arguments: ["en", "zh-TW"])
    func managersAndResearchersReadTheDashboard(language: String) async throws {
        #expect(Browser.available, "chromium-driver and selenium are needed")
        try await APIHarness.run(.live) { h, client in
            let config = try TestDatabase.config()
            try await DemoData(courses: 300, today: CalendarDate(APIHarness.now, in: config.clinicTimeZone))
                .load(into: try Repositories.testing(h.database), auth: config.auth)
            try await Browser.addUsers(
                h, [("mgr.browser", .manager, ["NORTH", "CENTRAL"]), ("res.browser", .researcher, []), ("dr.browser", .clinician, ["NORTH"])])
            let north = try #require(try await AccountRepository(database: h.database).sites().first { $0.code == "NORTH" }).id
            try await Browser.walk(
                Browser.dashboardScript, client,
                [
                    Browser.password, language, Browser.screenshots.path, "mgr.browser", "res.browser", "dr.browser",
                    north.uuidString.lowercased(),
                ])
        }
    }
}

extension BrowserTests {
    /// A patient answers from a phone (390×844): the questions, the answer, a double submit, an
    /// altered link and a revoked one, in both languages.
    @Test(arguments: ["en", "zh-TW"])
    func aPatientAnswersAFollowUpLinkOnAPhone(language: String) async throws {
        #expect(Browser.available, "chromium-driver and selenium are needed")
        try await APIHarness.run(.live) { h, client in
            let course = h.fixture.courseId
            #expect(
                try await client.post(
                    "/api/v1/courses/\(course)/sessions",
                    #"{"sessionOn":"2026-05-25","procedures":[{"kind":"prp","volumeMl":4,"leukocytes":"poor"}]}"#,
                    token: h.clinician
                ).status == .created)
            let config = try TestDatabase.config()
            let followUps = Repositories(database: h.database, rules: config.clinical, followUp: config.followUp).followUps
            let link = try await followUps.createLink(courseId: course, scope: nil, by: Fixture.actor)
            let revoked = try await followUps.createLink(courseId: course, scope: nil, by: Fixture.actor)
            try await followUps.revokeLink(revoked.id, courseId: course, scope: nil, by: Fixture.actor)
            try await Browser.walk(Browser.followUpScript, client, [language, Browser.screenshots.path, link.token, revoked.token, "Test Clinic"])
            let scores = try await client.get("/api/v1/courses/\(course)", token: h.clinician).json["painScores"] as? [[String: Any]] ?? []
            #expect(scores.count == 1 && scores.first?["source"] as? String == "patient" && scores.first?["nrs"] as? Int == 3)
        }
    }
}

extension BrowserTests {
    /// A clinician records a patient's consent (a mistake first) and stops the messages, then
    /// reads an invitation the outbox sent on the course page and the due list, in both languages.
    @Test(arguments: ["en", "zh-TW"])
    func aClinicianRecordsConsentAndSeesWhatWasSent(language: String) async throws {
        #expect(Browser.available, "chromium-driver and selenium are needed")
        try await APIHarness.run(.live) { h, client in
            try await Browser.addUsers(h, [("dr.consent", .clinician, ["TEST"])])
            // A course due today (its session 2026-06-01) whose patient consented and was invited by LINE.
            var config = try TestDatabase.config()
            config.outbox.line.channelAccessToken = "token"
            let repositories = Repositories(
                database: h.database, rules: config.clinical, followUp: config.followUp, outbox: config.outbox, timeZone: config.clinicTimeZone)
            let messaged = try await h.fixture.courseWithOneSession(
                mrn: "MRN-SENT", startedOn: CalendarDate(iso: "2026-05-20")!, sessionOn: CalendarDate(iso: "2026-06-01")!, in: repositories)
            let lineUser = "U" + String(repeating: "c3", count: 16)
            let contact = try ContactInput(channels: ["line"], lineUserId: lineUser, consentedOn: "2026-05-20", consentHow: "written")
                .validated(ValidationContext(config: config, now: APIHarness.now), phone: nil)
            try await repositories.outbox.setContact(contact, patientId: messaged.patientId, scope: nil, by: Fixture.actor)
            let today = CalendarDate(iso: "2026-06-15")!
            #expect(try await repositories.outbox.plan(today: today, now: APIHarness.now, channels: [.line]) == 1)
            for message in try await repositories.outbox.claim(now: APIHarness.now, today: today, lease: .seconds(60), limit: 10) {
                try await repositories.outbox.settle(message.id, .sent, now: APIHarness.now)
            }
            try await Browser.walk(
                Browser.contactScript, client,
                [
                    "dr.consent", Browser.password, language, Browser.screenshots.path, h.fixture.patientId.uuidString.lowercased(),
                    "U" + String(repeating: "d4", count: 16), messaged.id.uuidString.lowercased(),
                ])
            let recorded = try #require(try await repositories.outbox.contact(patientId: h.fixture.patientId, scope: nil) ?? nil)
            #expect(recorded.channels == [.line] && recorded.optedOutAt != nil)
        }
    }
}

extension BrowserTests {
    /// An admin reads the users with the outbox's channels, the tokens and a corrected record's
    /// audit trail, and verifies it; a researcher opens the export page; in both languages.
    @Test(arguments: ["en", "zh-TW"])
    func anAdminAndAResearcherReadTheirPages(language: String) async throws {
        #expect(Browser.available, "chromium-driver and selenium are needed")
        try await APIHarness.run(.live) { h, client in
            try await Browser.addUsers(h, [("adm.browser", .admin, []), ("res.browser", .researcher, [])])
            let created = try await client.post(
                "/api/v1/courses/\(h.fixture.courseId)/pain-scores", #"{"recordedOn":"2026-01-20","timepoint":"baseline","nrs":7}"#,
                token: h.clinician)
            let id = try #require(created.json["id"] as? String)
            let corrected = try await client.send(
                .patch, "/api/v1/courses/\(h.fixture.courseId)/pain-scores/\(id)", #"{"nrs":6}"#, token: h.clinician, extra: [.ifMatch: "\"1\""])
            #expect(corrected.status == .ok)
            try await Browser.walk(
                Browser.adminScript, client, [Browser.password, language, Browser.screenshots.path, "adm.browser", "res.browser", id])
        }
    }
}

/// Headless Chromium through chromedriver, and the walk script.
enum Browser {
    static let script = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/browser_check.py")
    static let dashboardScript = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/dashboard_check.py")
    static let followUpScript = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/follow_up_check.py")
    static let contactScript = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/contact_check.py")
    static let adminScript = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/admin_check.py")
    static let screenshots = TestDatabase.checkout.appending(path: ".build/screenshots")
    static let password = "a long enough password"

    /// Adds (username, role, site codes) users, each with `password`.
    static func addUsers(_ h: APIHarness, _ users: [(String, Role, [String])]) async throws {
        var auth = try TestDatabase.config().auth
        auth.bcryptCost = 4
        for (username, role, sites) in users {
            _ = try await AccountRepository(database: h.database).addUser(
                username: username, displayName: username, role: role, siteCodes: sites,
                password: password, rules: auth, actor: Fixture.actor)
        }
    }

    /// Runs a walk script against the live server (its address first, then `arguments`); it must pass.
    static func walk(_ script: URL, _ client: some TestClientProtocol, _ arguments: [String]) async throws {
        let port = try #require(client.port)
        let walk = try await Subprocess.run(ExternalTools.python, [script.path, "http://127.0.0.1:\(port)"] + arguments, mergingErrors: true)
        #expect(walk.status == 0, "\(walk.output)")
    }

    static let available =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && ExternalTools.pythonHas("selenium")
}
