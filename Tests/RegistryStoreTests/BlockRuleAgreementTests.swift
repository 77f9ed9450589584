import Foundation
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Block positivity lives in Swift (`BlockResult`, for the API, pages and reports) and in SQL
/// (`BlockRuleSQL`, for exports PostgreSQL formats). They agree on every boundary value.
@Suite struct BlockRuleAgreementTests {
    @Test(arguments: [50.0, 60, 62.5, 70, 100])
    func swiftAndSQLAgreeOnEveryScoreAndWindowEdge(threshold: Double) async throws {
        let rules = ClinicalRules.Block(positiveReliefPercent: threshold, assessmentWindowMinutes: .init(minimum: 5, maximum: 60))
        let minutes = [0, 4, 5, 6, 59, 60, 61, 120]
        var cases: [(Int, Int, Int)] = []
        for before in 1...10 { for after in 0...10 { for minute in minutes { cases.append((before, after, minute)) } } }
        let values = cases.map { "(\($0.0), \($0.1), \($0.2))" }.joined(separator: ", ")
        let positive = BlockRuleSQL.positive(
            nrsBefore: "b", nrsAfter: "a", minutes: "m", threshold: "\(threshold)",
            minimum: String(rules.assessmentWindowMinutes.minimum), maximum: String(rules.assessmentWindowMinutes.maximum))
        try await TestDatabase.withFresh { database in
            var disagreements: [String] = []
            try await database.withConnection { connection in
                let query = PostgresQuery(unsafeSQL: "SELECT b, a, m, \(positive) FROM (VALUES \(values)) AS v(b, a, m) ORDER BY b, a, m")
                for try await (before, after, minute, sql) in try await connection.query(query, logger: TestDatabase.logger).decode(
                    (Int, Int, Int, Bool).self)
                {
                    let swift = BlockResult(nrsBefore: before, nrsAfter: after, assessedMinutesAfter: minute, rules: rules).positive
                    if swift != sql { disagreements.append("\(before)→\(after) at \(minute) min: Swift \(swift), SQL \(sql)") }
                }
            }
            #expect(disagreements.isEmpty, "\(disagreements)")
        }
        #expect(cases.count == 880)
    }
}
