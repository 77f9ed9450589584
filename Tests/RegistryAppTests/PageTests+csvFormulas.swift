import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import RegistryTestSupport
import SwiftCSV
import Testing

/// Every CSV the registry writes, from a real server: a text cell a spreadsheet would run as a
/// formula is written with a leading apostrophe, numbers stay numbers.
extension PageTests {
    static let formulas = [#"=HYPERLINK("http://evil.example","Dr")"#, "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+cmd|' /C calc'!A0", "-2+3", "\tTAB=1"]

    /// Cells of a CSV (a real parser), none of which a spreadsheet would take for a formula.
    func expectInert(_ text: String, containing expected: [String], _ file: String) throws {
        let csv = try CSV<Enumerated>(string: text)
        let cells = csv.header + csv.rows.flatMap { $0 }
        for cell in cells where cell.first.map({ "=+-@\t\r".contains($0) }) == true {
            #expect(cell.wholeMatch(of: /[+-]?[0-9]+(\.[0-9]+)?/) != nil, "\(file): live formula \(cell)")
        }
        for formula in expected { #expect(cells.contains("'" + formula), "\(file) lacks '\(formula)") }
    }

    @Test func noCSVCarriesALiveFormula() async throws {
        try await APIHarness.run(.live, configure: { $0.export.includeNotes = true }) { h, client async throws in
            let course = h.fixture.courseId
            for note in Self.formulas.dropFirst().prefix(2) {
                #expect(
                    try await client.post(
                        "/api/v1/courses/\(course)/sessions",
                        """
                        {"sessionOn":"2026-01-12","notes":\(try jsonText(note)),"procedures":[{"kind":"hydrodissection","injectate":"d5w","volumeMl":10}]}
                        """, token: h.clinician
                    ).status == .created)
            }
            for note in Self.formulas.suffix(3) {
                #expect(
                    try await client.post(
                        "/api/v1/courses/\(course)/events",
                        #"{"kind":"recurrence_observed","occurredOn":"2026-01-20","note":\#(try jsonText(note))}"#,
                        token: h.clinician
                    ).status == .created)
            }
            try await h.database.withConnection {
                try await $0.query("UPDATE users SET display_name = \(Self.formulas[0]) WHERE username = 'dr.test'", logger: TestDatabase.logger)
            }
            let sessions = try await client.get("/api/v1/exports/sessions.csv", token: h.tokens["manager"])
            try expectInert(sessions.text, containing: Array(Self.formulas.dropFirst().prefix(2)), "sessions.csv")
            let events = try await client.get("/api/v1/exports/events.csv", token: h.tokens["manager"])
            try expectInert(events.text, containing: Array(Self.formulas.suffix(3)), "events.csv")
            let manager = try await signIn(client, h, username: "mgr.csv")
            let (status, clinicians, _) = try await page(client, "/reports/outcomes/clinicians.csv", cookie: manager)
            #expect(status == .ok)
            try expectInert(clinicians, containing: [Self.formulas[0]], "clinicians.csv")
        }
    }

    private func jsonText(_ text: String) throws -> String { String(decoding: try JSONEncoder().encode(text), as: UTF8.self) }
}
