import Foundation
import Logging
import PostgresNIO
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryTestSupport
import Synchronization
import Testing

@testable import RegistryStore

@Suite struct CourseReadTests {
    /// The course page derives its outcome and follow-ups from the one read of the course, not
    /// from the history stream the reports read: both must give every course the same history.
    /// Demo courses, some records voided and one course voided.
    @Test func theCourseReadGivesTheHistoryTheStreamGives() async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let repositories = try Repositories.testing(database)
            try await DemoData(courses: 60, today: CalendarDate(iso: "2026-11-25")!).load(into: repositories, auth: config.auth)
            let ids = try await database.withConnection { connection in
                var ids: [UUID] = []
                for try await id in try await connection.query("SELECT id FROM treatment_courses ORDER BY id", logger: TestDatabase.logger)
                    .decode(UUID.self)
                {
                    ids.append(id)
                }
                return ids
            }
            // A voided score, session and ultrasound finding, and a voided course, leave the history alike.
            try await database.withConnection { connection in
                for table in ["pain_scores", "treatment_sessions", "ultrasound_findings"] {
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL: """
                                UPDATE \(table) SET voided_at = now(), void_reason = 'test', version = version + 1
                                WHERE id = (SELECT id FROM \(table) ORDER BY id LIMIT 1)
                                """), logger: TestDatabase.logger)
                }
                try await connection.query(
                    "UPDATE treatment_courses SET voided_at = now(), void_reason = 'test', version = version + 1 WHERE id = \(ids[0])",
                    logger: TestDatabase.logger)
            }
            var streamed: [UUID: CourseHistory] = [:]
            try await database.withConnection { connection in
                try await repositories.reports.streamHistories(on: connection) { streamed[$0.courseId] = $0 }
            }
            #expect(streamed.count == ids.count - 1 && streamed.values.contains { !$0.ultrasound.isEmpty })
            for id in ids {
                let reading = try await database.withConnection {
                    try await repositories.courses.read(id, rules: config.clinical.block, scope: nil, on: $0)
                }
                #expect(reading?.history.map(Self.normalized) == streamed[id].map(Self.normalized), "course \(id)")
                let rules = OutcomeRules(config.clinical)
                #expect(reading?.history.map(rules.outcome) == streamed[id].map(rules.outcome))
            }
        }
    }

    /// One statement reads a course for the JSON API and for its page, however many records it
    /// has: counted as the driver sees them (each Bind the server completes), so the number cannot
    /// grow back unnoticed.
    @Test func aCourseIsReadInOneStatement() async throws {
        try await TestDatabase.withFresh { setup in
            let config = try TestDatabase.config()
            try await DemoData(courses: 12, today: CalendarDate(iso: "2026-11-25")!).load(into: try Repositories.testing(setup), auth: config.auth)
            let counter = StatementCounter()
            try await RegistryDatabase.withRunning(url: setup.url, poolSize: 1, logger: counter.logger) { database in
                let repositories = Repositories(database: database, rules: config.clinical, followUp: config.followUp)
                let course = try #require(
                    try await repositories.courses.list(patientId: nil, siteId: nil, scope: nil, page: PageRequest(limit: 1)).items.first)
                // The first read on a connection also prepares the statement; what counts is every read after it.
                _ = try await repositories.courses.timeline(course.id, scope: nil)
                for read in [
                    { _ = try await repositories.courses.timeline(course.id, scope: nil) },
                    {
                        _ = try await repositories.courses.overview(
                            course.id, scope: [course.siteId], followUp: config.followUp, today: CalendarDate(iso: "2026-11-25")!)
                    },
                ] as [@Sendable () async throws -> Void] {
                    let before = counter.statements
                    try await read()
                    #expect(counter.statements - before == 1)
                }
                #expect(try await repositories.courses.timeline(course.id, scope: [UUID()]) == nil)
            }
        }
    }

    /// Records of one day (written in one transaction, so with one `created_at`) come in no set
    /// order from either read; the outcome definitions do not depend on it (OutcomeRules). The
    /// times the patient was asked are read only by the reports' response rates, not by the course page.
    static func normalized(_ history: CourseHistory) -> CourseHistory {
        var history = history
        history.asks = []
        history.procedures.sort { ($0.on, $0.kind.rawValue, $0.injectate?.rawValue ?? "") < ($1.on, $1.kind.rawValue, $1.injectate?.rawValue ?? "") }
        history.scores.sort {
            ($0.on, $0.timepoint.rawValue, $0.nrs, $0.source.rawValue) < ($1.on, $1.timepoint.rawValue, $1.nrs, $1.source.rawValue)
        }
        history.events.sort { ($0.on, $0.kind.rawValue) < ($1.on, $1.kind.rawValue) }
        return history
    }
}
