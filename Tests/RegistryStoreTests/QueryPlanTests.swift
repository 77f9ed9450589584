import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore
import RegistryDevTools
import RegistryTestSupport
import Testing

@testable import RegistryStore

/// The hot reads a clinic day makes (a course's timeline, a site's outcome stream, a patient
/// search) are served by indexes. Each runs with sequential scans disabled, so PostgreSQL scans a
/// table sequentially only when no index can serve the query; the transaction's own statistics
/// (`pg_stat_xact_user_tables`) then name any clinical table it still scanned.
@Suite struct QueryPlanTests {
    static let clinicalTables = [
        "treatment_courses", "treatment_sessions", "procedures", "pain_scores", "course_events", "diagnostic_blocks",
        "screening_findings", "examination_findings", "ultrasound_findings", "patients", "patient_identities",
    ]

    func sequentialScans(_ database: RegistryDatabase, _ body: (Repositories, PostgresConnection) async throws -> Void) async throws -> [String] {
        let registry = try Repositories.testing(database)
        return try await database.transaction { connection in
            // The counters hold this backend's scans not yet flushed, earlier transactions' too:
            // what counts is the difference across `body`.
            func counts() async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for try await (table, scans) in try await connection.query(
                    """
                    SELECT relname::text, seq_scan FROM pg_stat_xact_user_tables WHERE relname = ANY(\(Self.clinicalTables))
                    """, logger: TestDatabase.logger
                ).decode((String, Int).self) {
                    counts[table] = scans
                }
                return counts
            }
            try await connection.query("SET LOCAL enable_seqscan = off", logger: TestDatabase.logger)
            let before = try await counts()
            try await body(registry, connection)
            let after = try await counts()
            return after.filter { $0.value > before[$0.key, default: 0] }.keys.sorted()
        }
    }

    func seeded(_ body: (RegistryDatabase) async throws -> Void) async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            try await DemoData(courses: 30, today: CalendarDate(iso: "2026-11-25")!).load(
                into: try Repositories.testing(database), auth: config.auth)
            try await body(database)
        }
    }

    @Test func aCoursesTimelineReadsThroughIndexes() async throws {
        try await seeded { database in
            let rules = try TestDatabase.config().clinical
            let registry = try Repositories.testing(database)
            let course = try #require(
                try await database.withConnection { try await registry.courses.courses(page: PageRequest(limit: 1), on: $0) }.items.first)
            let scanned = try await sequentialScans(database) { registry, connection in
                let timeline = try await registry.courses.timeline(course.id, rules: rules.block, on: connection)
                #expect(timeline?.painScores.isEmpty == false)
            }
            #expect(scanned.isEmpty, "sequential scans: \(scanned)")
        }
    }

    @Test func oneSitesHistoryStreamReadsThroughIndexes() async throws {
        try await seeded { database in
            let site = try #require(try await database.withConnection { try await (try Repositories.testing(database)).accounts.sites(on: $0) }.first)
            let scanned = try await sequentialScans(database) { registry, connection in
                var courses = 0
                try await registry.reports.streamHistories(siteId: site.id, on: connection) { _ in courses += 1 }
                #expect(courses > 0 && courses < 30)
            }
            #expect(scanned.isEmpty, "sequential scans: \(scanned)")
        }
    }

    @Test func aPatientSearchReadsThroughIndexesAndFindsByMRNOrName() async throws {
        try await seeded { database in
            let registry = try Repositories.testing(database)
            let patient = try #require(
                try await database.withConnection { try await registry.patients.patients(page: PageRequest(limit: 1), on: $0) }.items.first?.record)
            let scanned = try await sequentialScans(database) { registry, connection in
                for text in [patient.mrn, String(patient.mrn.prefix(6)).lowercased(), patient.familyName, patient.familyName + patient.givenName] {
                    let found = try await registry.patients.searchPatients(text, scope: [patient.siteId], limit: 20, on: connection)
                    #expect(found.contains { $0.id == patient.id }, "\(text)")
                }
                let exact = try await registry.patients.searchPatients(patient.mrn, scope: nil, limit: 20, on: connection)
                #expect(exact.first?.id == patient.id)
                #expect(try await registry.patients.searchPatients("%", scope: nil, limit: 20, on: connection).isEmpty)
                #expect(try await registry.patients.searchPatients(patient.mrn, scope: [UUID()], limit: 20, on: connection).isEmpty)
            }
            #expect(scanned.isEmpty, "sequential scans: \(scanned)")
        }
    }
}
