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
            let port = try #require(client.port)
            var auth = try TestDatabase.config().auth
            auth.bcryptCost = 4
            _ = try await AccountRepository(database: h.database).addUser(username: "dr.browser", displayName: "Dr Browser", role: .clinician, siteCodes: ["TEST"],
                                                                          password: "a long enough password", rules: auth, actor: Fixture.actor)
            let today = CalendarDate(APIHarness.now, in: try TestDatabase.config().clinicTimeZone).description
            let before = try await h.rowCounts()
            let walk = try await Subprocess.runAside(ExternalTools.python, [Browser.script.path, "http://127.0.0.1:\(port)", "dr.browser", "a long enough password",
                                                                 language, Browser.screenshots.path, today], mergingErrors: true)
            #expect(walk.status == 0, "\(walk.output)")
            // What the walk saved, once each: nothing lost, nothing written twice.
            let after = try await h.rowCounts()
            for (table, added) in ["patient_identities": 1, "treatment_courses": 1, "diagnostic_blocks": 1, "treatment_sessions": 3, "procedures": 3, "pain_scores": 6] {
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
            let port = try #require(client.port)
            let config = try TestDatabase.config()
            try await DemoData(courses: 300, today: CalendarDate(APIHarness.now, in: config.clinicTimeZone))
                .load(into: Registry(database: h.database), rules: config.clinical.block, auth: config.auth)
            var auth = config.auth
            auth.bcryptCost = 4
            let accounts = AccountRepository(database: h.database)
            for (username, role, sites) in [("mgr.browser", Role.manager, ["NORTH", "CENTRAL"]), ("res.browser", .researcher, []), ("dr.browser", .clinician, ["NORTH"])] {
                _ = try await accounts.addUser(username: username, displayName: username, role: role, siteCodes: sites, password: "a long enough password",
                                               rules: auth, actor: Fixture.actor)
            }
            let north = try #require(try await accounts.sites().first { $0.code == "NORTH" }).id
            let walk = try await Subprocess.runAside(ExternalTools.python, [Browser.dashboardScript.path, "http://127.0.0.1:\(port)", "a long enough password", language,
                                                                 Browser.screenshots.path, "mgr.browser", "res.browser", "dr.browser", north.uuidString.lowercased()],
                                         mergingErrors: true)
            #expect(walk.status == 0, "\(walk.output)")
        }
    }
}

/// Headless Chromium through chromedriver, and the walk script.
enum Browser {
    static let script = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/browser_check.py")
    static let dashboardScript = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/dashboard_check.py")
    static let screenshots = TestDatabase.checkout.appending(path: ".build/screenshots")
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && ExternalTools.pythonHas("selenium")
}
