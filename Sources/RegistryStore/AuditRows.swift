import Foundation
import Logging
import PostgresNIO
import RegistryCore

/// The tables whose rows are audited; their names are interpolated into SQL, so only these.
enum AuditedTable: String {
    case patients, patientIdentities = "patient_identities", treatmentCourses = "treatment_courses"
    case diagnosticBlocks = "diagnostic_blocks", treatmentSessions = "treatment_sessions", painScores = "pain_scores"
    case courseEvents = "course_events", screeningFindings = "screening_findings"
    case examinationFindings = "examination_findings", ultrasoundFindings = "ultrasound_findings"
    case sites, users

    /// The identity table is keyed by its patient; every other table by `id`.
    var key: String { self == .patientIdentities ? "patient_id" : "id" }
}

/// The audit rows every write appends in its own transaction.
extension Repository {
    /// Appends the audit row for a newly created record, with the row itself as `after`.
    /// (Audit rows never include password hashes: `users` rows are audited without them.)
    func auditCreate(_ table: AuditedTable, id: UUID, actor: Actor, on connection: PostgresConnection) async throws {
        // A session's procedures belong to its picture of "after".
        let after =
            switch table {
            case .treatmentSessions:
                "to_jsonb(t) || jsonb_build_object('procedures', (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.position) FROM procedures p WHERE "
                    + "p.session_id = t.id))"
            case .users: "to_jsonb(t) - 'password_hash'"
            default: "to_jsonb(t)"
            }
        try await connection.run(
            """
            INSERT INTO audit_log (actor_id, actor_label, action, route, record_table, record_id, after)
            SELECT \(actor.userId), \(actor.label), 'create', \(actor.route), \(table.rawValue), \(id), \(unescaped: after)
            FROM \(unescaped: table.rawValue) t WHERE t.\(unescaped: table.key) = \(id)
            """, logger)
    }

    /// Appends the audit row of a correction or void: the row as it was (`before`, captured
    /// under the row lock) and as it is now.
    func auditChange(
        _ action: String, table: AuditedTable, id: UUID, before: String?, actor: Actor,
        on connection: PostgresConnection
    ) async throws {
        let after = table == .users ? "to_jsonb(t) - 'password_hash'" : "to_jsonb(t)"
        try await connection.run(
            """
            INSERT INTO audit_log (actor_id, actor_label, action, route, record_table, record_id, before, after)
            SELECT \(actor.userId), \(actor.label), \(action), \(actor.route), \(table.rawValue), \(id), \(before)::jsonb, \(unescaped: after)
            FROM \(unescaped: table.rawValue) t WHERE t.\(unescaped: table.key) = \(id)
            """, logger)
    }

    /// Records an action that changes no clinical row (seed, report, export).
    func auditAction(_ action: String, actor: Actor, details: String?, on connection: PostgresConnection) async throws {
        try await connection.run(
            """
            INSERT INTO audit_log (actor_id, actor_label, action, route, after)
            VALUES (\(actor.userId), \(actor.label), \(action), \(actor.route), \(details)::jsonb)
            """, logger)
    }
}
