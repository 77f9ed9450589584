import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

/// The outcome dashboard on the demo data: every number on it is the JSON report's, read back
/// from the HTML and the CSV downloads; filters narrow it; clinicians get a 403 page.
extension PageTests {
    func withDemoData(_ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        try await APIHarness.run { h, client in
            let config = try TestDatabase.config()
            try await DemoData(courses: 300, today: CalendarDate(APIHarness.now, in: config.clinicTimeZone))
                .load(into: try Repositories.testing(h.database), auth: config.auth)
            try await body(h, client)
        }
    }

    /// The text of each `<dt>label</dt><dd>value</dd>` figure.
    func figures(_ html: String) throws -> [String: String] {
        let matches = html.matches(of: try Regex("<div class=\"figure\"><dt>([^<]+)</dt><dd>([^<]+)</dd></div>"))
        return Dictionary(matches.map { (String($0[1].substring!), String($0[2].substring!)) }) { first, _ in first }
    }

    /// The rows of the table `key`, as cell texts.
    func rows(_ html: String, _ key: String) throws -> [[String]] {
        guard let start = html.range(of: "data-table=\"\(key)\"") else { return [] }
        let body = html[start.upperBound...].components(separatedBy: "</table>")[0]
        return body.components(separatedBy: "<tr>").dropFirst(2).map { row in
            row.split(separator: /<td[^>]*>/, omittingEmptySubsequences: false).dropFirst().map { unescaped($0.components(separatedBy: "</td>")[0]) }
        }
    }

    func unescaped(_ html: String) -> String {
        [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")].reduce(html) {
            $0.replacingOccurrences(of: $1.0, with: $1.1)
        }
    }

    func percent(_ value: Any?) -> String { (value as? Double).map { String(format: "%.1f", $0 * 100) } ?? "–" }

    /// "72.4% (68.1–76.3) · 210/290" for a JSON proportion.
    func proportion(_ p: [String: Any]?) -> String {
        guard let p, let total = p["total"] as? Int, total > 0 else { return "– (0)" }
        return "\(percent(p["estimate"]))% (\(percent(p["lower"]))–\(percent(p["upper"]))) · \(p["successes"] as? Int ?? -1)/\(total)"
    }

    @Test func everyNumberOnTheDashboardIsTheJSONReports() async throws {
        try await withDemoData { h, client in
            let cookie = try await signIn(client, h, username: "res.dashboard")
            let json = try await client.get("/api/v1/reports/outcomes", token: h.tokens["researcher"]!).json
            let (status, html, _) = try await page(client, "/reports/outcomes", cookie: cookie)
            #expect(status == .ok)
            let shown = try figures(html)
            #expect(shown["Courses"] == "\(json["courses"] as! Int)")
            #expect(shown["Substantial response"] == proportion(json["response"] as? [String: Any]))
            #expect(shown["Moderate response"] == proportion(json["moderateResponse"] as? [String: Any]))
            #expect(shown["Positive diagnostic blocks"] == proportion(json["blockPositivity"] as? [String: Any]))
            #expect(shown["Responses lost within 30 days"] == "\(json["nonSustained"] as! Int)")
            let sessions = json["sessionsToImprovement"] as! [String: Any]
            #expect(shown["Sessions to improvement, median (IQR)"]?.hasSuffix("· n = \(sessions["n"] as! Int)") == true)
            // Cumulative response, session by session.
            let steps = json["cumulativeResponse"] as! [[String: Any]]
            let table = try rows(html, "sessions")
            #expect(table.count == steps.count && !steps.isEmpty)
            for (row, step) in zip(table, steps) {
                #expect(row[0] == "\(step["session"] as! Int)" && row[1] == "\(step["atRisk"] as! Int)" && row[2] == "\(step["improved"] as! Int)")
                if step["lower"] is Double {
                    #expect(row[3] == percent(step["cumulative"]) + "% (" + percent(step["lower"]) + "–" + percent(step["upper"]) + ")")
                } else {
                    #expect(row[3] == (step["cumulative"] is Double ? percent(step["cumulative"]) + "%" : "–"))
                }
            }
            // Cohorts and sites.
            let cohorts = json["cohorts"] as! [[String: Any]]
            let cohortRows = try rows(html, "cohorts").map { [$0[0], $0[1]] }
            #expect(cohortRows == cohorts.map { [$0["label"] as! String, "\($0["courses"] as! Int)"] }, "\(cohortRows)")
            let sites = (json["breakdown"] as! [String: Any])["sites"] as! [[String: Any]]
            #expect(
                try rows(html, "sites").map { [$0[1], $0[2], $0[3]] }
                    == sites.map { ["\($0["courses"] as! Int)", "\($0["evaluable"] as! Int)", proportion($0["response"] as? [String: Any])] })
            // The comparison's tests.
            let comparison = json["comparison"] as! [String: Any]
            let fisher = (comparison["fisher"] as! [String: Any])["twoSided"] as! Double
            #expect(html.contains("<dd>\(String(format: "%.4g", fisher))</dd>"))
            // The CSV download carries the raw numbers.
            let csv = try await client.execute(uri: "/reports/outcomes/sessions.csv", method: .get, headers: [.cookie: cookie])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = String(buffer: csv.body).split(separator: "\r\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            #expect(lines.first == ["session", "at_risk", "improved_so_far", "cumulative_response", "lower", "upper"])
            for (line, step) in zip(lines.dropFirst(), steps) {
                func same(_ text: String, _ value: Any?) -> Bool {
                    guard let value = value as? Double else { return text.isEmpty }
                    return Double(text).map { abs($0 - value) < 1e-12 } ?? false
                }
                #expect(same(line[3], step["cumulative"]) && same(line[4], step["lower"]) && same(line[5], step["upper"]), "\(line) \(step)")
            }
            // The funnel plots' tables: each clinician's counts, share and verdict as the JSON report has them, and the CSV's raw limits.
            let funnel = ((json["funnels"] as! [String: Any])["response"] as! [String: Any])["clinicians"] as! [String: Any]
            let providers = funnel["providers"] as! [[String: Any]]
            #expect(!providers.isEmpty)
            #expect(
                try rows(html, "funnelResponseClinicians").map { [$0[1], $0[2], $0[3]] }
                    == providers.map { ["\($0["n"] as! Int)", "\($0["observed"] as! Int)", percent($0["proportion"]) + "%"] })
            let funnelCSV = try await client.execute(uri: "/reports/outcomes/funnelResponseClinicians.csv", method: .get, headers: [.cookie: cookie])
            let funnelLines = String(buffer: funnelCSV.body).split(separator: "\r\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            #expect(
                funnelLines.first?.prefix(10) == [
                    "id", "name", "n", "observed", "proportion", "lower_99_8", "lower_95", "upper_95", "upper_99_8", "verdict",
                ])
            for (line, provider) in zip(funnelLines.dropFirst(), providers) {
                let limits = provider["limits"] as! [String: Any]
                #expect(
                    line[0] == (provider["id"] as! String).lowercased() && abs(Double(line[6])! - (limits["lower95"] as! Double)) < 1e-12
                        && line[9] == provider["verdict"] as? String,
                    "\(line) \(provider)")
            }
            // Charts and methods are there.
            #expect(
                html.components(separatedBy: "<svg").count - 1 >= 8 && html.components(separatedBy: "class=\"funnel\"").count - 1 == 4
                    && html.contains("class=\"censor") && html.contains("Newcombe hybrid score"))
        }
    }

    @Test func aFilterNarrowsTheFiguresAndABadOneIsNamedBesideItsField() async throws {
        try await withDemoData { h, client in
            let cookie = try await signIn(client, h, username: "res.dashboard")
            let north = try #require(try await AccountRepository(database: h.database).sites().first { $0.code == "NORTH" }).id
            let (_, all, _) = try await page(client, "/reports/outcomes", cookie: cookie)
            let (_, narrowed, _) = try await page(client, "/reports/outcomes?siteId=\(north)&injectate=d5w&from=&side=", cookie: cookie)
            let json = try await client.get("/api/v1/reports/outcomes?siteId=\(north)&injectate=d5w", token: h.tokens["researcher"]!).json
            #expect(try figures(narrowed)["Courses"] == "\(json["courses"] as! Int)" && figures(narrowed)["Courses"] != figures(all)["Courses"])
            #expect(
                narrowed.contains("<option value=\"d5w\" selected>") && narrowed.contains("/reports/outcomes/sessions.csv?injectate=d5w&amp;siteId="))
            let (invalid, page422, _) = try await page(client, "/reports/outcomes?from=2026-05-01&to=2026-01-01", cookie: cookie)
            #expect(invalid == .unprocessableContent && fieldError(page422, "from") == "First session from must not be after to (2026-01-01)")
            // What was typed stays in the field beside its message (a date field would show it empty).
            let (_, mistyped, _) = try await page(client, "/reports/outcomes?from=yesterday", cookie: cookie)
            #expect(mistyped.contains("type=\"text\"") && mistyped.contains("value=\"yesterday\"") && fieldError(mistyped, "from") != nil)
        }
    }

    @Test func cliniciansGetA403PageAndAManagerSeesOnlyTheirSites() async throws {
        try await APIHarness.run { h, client in
            let clinician = try await signIn(client, h, username: "dr.dashboard")
            let (forbidden, body, _) = try await page(client, "/reports/outcomes", cookie: clinician)
            #expect(forbidden == .forbidden && body.contains("Outcome reports are for clinic managers and researchers."))
            let manager = try await signIn(client, h, username: "mgr.dashboard")
            let (ok, html, _) = try await page(client, "/reports/outcomes", cookie: manager, language: "zh-TW")
            #expect(ok == .ok && html.contains("治療成效") && html.contains("Test Clinic") && !html.contains("Other Clinic"))
            // The thresholds read as sentences in the page's language, each beside its setting.
            #expect(html.contains("<td>診斷性阻斷：疼痛緩解達 50% 以上為陽性</td><td><code class=\"setting\">block.positiveReliefPercent</code></td>"))
            #expect(html.contains("計入治療次數的處置：超音波導引神經水解、PRP 注射、高濃度葡萄糖增生療法") && html.contains("1-2 組：改善前接受 1 至 2 次治療"))
            #expect(html.contains("復發須由下一次分數確認：是"))
            let researcher = try await signIn(client, h, username: "res.entry")
            let entry = try await client.execute(uri: "/", method: .get, headers: [.cookie: researcher])
            #expect(entry.headers[.location] == "/reports/outcomes")
        }
    }
}
