import Foundation
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The database refuses bad rows on its own, whatever path writes them.
@Suite struct SchemaConstraintTests {
    @Test func directSQLCannotWriteWhatTheAppWouldRefuse() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let logger = TestDatabase.logger
            let course = fixture.courseId
            let refused: [(PostgresQuery, String)] = [
                (
                    "INSERT INTO pain_scores (course_id, recorded_on, timepoint, nrs) VALUES (\(course), '2026-02-01', 'follow_up', 11)",
                    "pain_scores_nrs_check"
                ),
                (
                    "INSERT INTO pain_scores (course_id, recorded_on, timepoint, nrs) VALUES (\(course), '2026-02-01', 'later', 3)",
                    "pain_scores_timepoint_check"
                ),
                (
                    "INSERT INTO diagnostic_blocks (course_id, performed_at, side, agent, volume_ml, nrs_before, nrs_after, assessed_minutes_after) VALUES (\(course), '2026-02-01T09:00:00Z', 'left', 'lidocaine', 5, 0, 0, 10)",
                    "diagnostic_blocks_nrs_before_check"
                ),
                (
                    "INSERT INTO treatment_sessions (course_id, session_on, clinician_id) VALUES (\(course), '2025-12-01', \(fixture.clinicianId))",
                    "treatment_sessions_not_before_course_start"
                ),
                (
                    "INSERT INTO treatment_sessions (course_id, session_on, clinician_id) VALUES (\(course), current_date + 30, \(fixture.clinicianId))",
                    "treatment_sessions_session_on_check"
                ),
            ]
            for (query, constraint) in refused {
                let error = await #expect(throws: StoreError.self) { try await database.withConnection { try await $0.query(query, logger: logger) } }
                guard case .constraint(let name, _) = error else {
                    Issue.record("\(String(describing: error)) is not a constraint violation")
                    continue
                }
                #expect(name == constraint)
            }
            // The control: the same kind of row, valid, is accepted.
            try await database.withConnection {
                try await $0.query(
                    "INSERT INTO pain_scores (course_id, recorded_on, timepoint, nrs) VALUES (\(course), '2026-02-01', 'follow_up', 10)",
                    logger: logger)
            }
        }
    }

    @Test func procedureColumnsMustMatchTheirKind() async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let logger = TestDatabase.logger
            let session = UUID()
            try await database.withConnection {
                try await $0.query(
                    "INSERT INTO treatment_sessions (id, course_id, session_on, clinician_id) VALUES (\(session), \(fixture.courseId), '2026-02-01', \(fixture.clinicianId))",
                    logger: logger)
            }
            for (values, constraint): (PostgresQuery, String) in [
                (
                    "INSERT INTO procedures (session_id, position, kind, volume_ml) VALUES (\(session), 1, 'hydrodissection', 10)",
                    "procedures_hydrodissection_shape"
                ),
                (
                    "INSERT INTO procedures (session_id, position, kind, injectate, volume_ml) VALUES (\(session), 1, 'hydrodissection', 'd5w', 500)",
                    "procedures_hydrodissection_shape"
                ),
                (
                    "INSERT INTO procedures (session_id, position, kind, volume_ml, leukocytes, injectate) VALUES (\(session), 1, 'prp', 4, 'rich', 'd5w')",
                    "procedures_prp_shape"
                ),
            ] {
                let error = await #expect(throws: StoreError.self) {
                    try await database.withConnection { try await $0.query(values, logger: logger) }
                }
                guard case .constraint(let name, _) = error else {
                    Issue.record("\(String(describing: error)) is not a constraint violation")
                    continue
                }
                #expect(name == constraint)
            }
            // The control: a well-formed hydrodissection is accepted.
            try await database.withConnection {
                try await $0.query(
                    "INSERT INTO procedures (session_id, position, kind, injectate, volume_ml) VALUES (\(session), 1, 'hydrodissection', 'd5w', 10)",
                    logger: logger)
            }
        }
    }

    @Test func theAuditTrailIsAppendOnlyInTheDatabaseItself() async throws {
        try await TestDatabase.withFresh { database in
            _ = try await Fixture.make(database)
            let logger = TestDatabase.logger
            let before = try await database.withConnection {
                try await $0.query("SELECT count(*) FROM audit_log", logger: logger).decode(Int.self).first { _ in true }
            }
            #expect((before ?? 0) > 0)
            for statement: PostgresQuery in ["UPDATE audit_log SET actor_label = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                // The trigger refuses with insufficient_privilege (42501), which is no integrity violation the store would map.
                let error = await #expect(throws: PSQLError.self) {
                    try await database.withConnection { try await $0.query(statement, logger: logger) }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501")
            }
            let after = try await database.withConnection {
                try await $0.query("SELECT count(*) FROM audit_log", logger: logger).decode(Int.self).first { _ in true }
            }
            #expect(after == before)
        }
    }
}
