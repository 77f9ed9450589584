import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// A real headless Chromium (Debian's chromium and chromium-driver, driven by selenium from
/// PyPI) walks the pages of a live server in each language; screenshots land in
/// `.build/screenshots/` (out of git). `.ci/run` installs all of it and sets
/// REGISTRY_TEST_REQUIRE_TOOLS=1, so there it cannot be skipped.
@Suite(.serialized, .enabled(if: Browser.available || ExternalTools.required))
struct BrowserTests {

    @Test(arguments: ["en", "zh-TW"])
    func aClinicianSignsInFindsAPatientAndReadsTheCourse(language: String) async throws {
        #expect(Browser.available, "chromium-driver and selenium are needed")
        try await APIHarness.run(.live) { h, client in
            let port = try #require(client.port)
            let course = h.fixture.courseId
            for body in [#"{"recordedOn":"2026-01-12","timepoint":"baseline","nrs":8}"#, #"{"recordedOn":"2026-02-02","timepoint":"follow_up","nrs":3}"#,
                         #"{"recordedOn":"2026-02-03","timepoint":"follow_up","nrs":9}"#] {
                #expect(try await client.post("/api/v1/courses/\(course)/pain-scores", body, token: h.clinician).status == .created)
            }
            #expect(try await client.post("/api/v1/courses/\(course)/sessions", #"{"sessionOn":"2026-01-12","procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}"#,
                                          token: h.clinician).status == .created)
            // The last score was entered on the wrong course: voided, it stays visible, struck through.
            let timeline = try await client.get("/api/v1/courses/\(course)", token: h.clinician)
            let last = try #require((timeline.json["painScores"] as? [[String: Any]])?.first { $0["nrs"] as? Int == 9 }?["id"] as? String)
            #expect(try await client.send(.post, "/api/v1/courses/\(course)/pain-scores/\(last)/void", #"{"reason":"entered on the wrong course"}"#,
                                          token: h.clinician, extra: [.ifMatch: "\"1\""]).status == .ok)
            var auth = try TestDatabase.config().auth
            auth.bcryptCost = 4
            _ = try await AccountRepository(database: h.database).addUser(username: "dr.browser", displayName: "Dr Browser", role: .clinician, siteCodes: ["TEST"],
                                                                          password: "a long enough password", rules: auth, actor: Fixture.actor)
            let walk = try await Subprocess.runAside(ExternalTools.python, [Browser.script.path, "http://127.0.0.1:\(port)", "dr.browser", "a long enough password",
                                                                 language, Browser.screenshots.path, "MRN-1", "Doe Jane"],
                                         environment: ProcessInfo.processInfo.environment.merging(["EXPECT_VOIDED": "1"]) { _, new in new }, mergingErrors: true)
            #expect(walk.status == 0, "\(walk.output)")
        }
    }
}

/// Headless Chromium through chromedriver, and the walk script.
enum Browser {
    static let script = TestDatabase.checkout.appending(path: "Tests/RegistryTestSupport/browser_check.py")
    static let screenshots = TestDatabase.checkout.appending(path: ".build/screenshots")
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && ExternalTools.pythonHas("selenium")
}
