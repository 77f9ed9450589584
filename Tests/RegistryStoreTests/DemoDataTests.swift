import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryTestSupport
import Testing

@testable import RegistryStore

@Suite struct DemoDataTests {
    func seeded(courses: Int) async throws -> ([String: Int], OutcomeReport) {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let registry = try Repositories.testing(database)
            try await DemoData(courses: courses, today: CalendarDate(iso: "2026-11-25")!).load(
                into: registry, auth: config.auth)
            let counts = try await database.rowCounts()
            let report = try await ReportRepository(database: database).outcomes(
                rules: config.clinical, filter: ReportFilter(), scope: nil, by: Fixture.actor)
            return (counts, report)
        }
    }

    /// CLINICAL.md: at risk at a milestone are the courses still followed then (event or
    /// censoring time on or after it); at session k, the courses neither improved nor censored
    /// before k. Counted here from the per-course outcomes alone, for every cohort.
    @Test func atRiskCountsOnTheDemoDataEqualCoursesStillFollowed() async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let registry = try Repositories.testing(database)
            try await DemoData(courses: 300, today: CalendarDate(iso: "2026-11-25")!).load(
                into: registry, auth: config.auth)
            let report = try await ReportRepository(database: database).outcomes(
                rules: config.clinical, filter: ReportFilter(), scope: nil, by: Fixture.actor)
            let rules = OutcomeRules(config.clinical)
            var outcomes: [CourseOutcome] = []
            try await database.withConnection { connection in
                try await registry.reports.streamHistories(on: connection) { outcomes.append(rules.outcome(of: $0)) }
            }
            #expect(outcomes.count == 300)
            var checked = 0
            for cohort in report.cohorts {
                guard let recurrence = cohort.recurrence else { continue }
                let followed = outcomes.filter { $0.cohort == cohort.label && $0.nonSustainedOn == nil }.compactMap(\.daysToRecurrenceOrCensoring)
                #expect(recurrence.n == followed.count)
                for milestone in recurrence.milestones {
                    #expect(milestone.atRisk == followed.filter { $0 >= milestone.day }.count, "\(cohort.label) day \(milestone.day)")
                    checked += 1
                }
            }
            #expect(checked >= 6)
            let evaluable = outcomes.filter(\.evaluable)
            for step in report.cumulativeResponse {
                #expect(
                    step.atRisk == evaluable.filter { ($0.sessionsToImprovement ?? $0.sessionCount) >= step.session }.count, "session \(step.session)"
                )
            }
            #expect(report.cumulativeResponse.count >= 3)
        }
    }

    @Test func theSameSeedGivesTheSameRegistryAndEveryRecordKind() async throws {
        let (first, report) = try await seeded(courses: 90)
        let (second, _) = try await seeded(courses: 90)
        #expect(first == second)
        for table in [
            "treatment_courses", "diagnostic_blocks", "treatment_sessions", "pain_scores", "course_events",
            "screening_findings", "examination_findings", "ultrasound_findings",
        ] {
            #expect((first[table] ?? 0) > 0, "\(table)")
        }
        #expect(first["treatment_courses"] == 90)
        // Shaped after the published series: most blocks positive, most evaluable courses respond.
        #expect((report.blockPositivity.estimate ?? 0) > 0.6)
        #expect((report.response.estimate ?? 0) > 0.5)
    }
}
