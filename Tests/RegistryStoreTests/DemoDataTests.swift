import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

@Suite struct DemoDataTests {
    func seeded(courses: Int) async throws -> ([String: Int], OutcomeReport) {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let registry = Registry(database: database)
            try await DemoData(courses: courses, today: CalendarDate(iso: "2026-11-25")!).load(into: registry, rules: config.clinical.block, auth: config.auth)
            let counts = try await database.read { try await registry.rowCounts(on: $0) }
            let report = try await registry.outcomeReport(rules: config.clinical, filter: ReportFilter(), actor: Fixture.actor)
            return (counts, report)
        }
    }

    @Test func theSameSeedGivesTheSameRegistryAndEveryRecordKind() async throws {
        let (first, report) = try await seeded(courses: 90)
        let (second, _) = try await seeded(courses: 90)
        #expect(first == second)
        for table in ["treatment_courses", "diagnostic_blocks", "treatment_sessions", "pain_scores", "course_events",
                      "screening_findings", "examination_findings", "ultrasound_findings"] {
            #expect((first[table] ?? 0) > 0, "\(table)")
        }
        #expect(first["treatment_courses"] == 90)
        // Shaped after the published series: most blocks positive, most evaluable courses respond.
        #expect((report.blockPositivity.estimate ?? 0) > 0.6)
        #expect((report.response.estimate ?? 0) > 0.5)
    }
}
