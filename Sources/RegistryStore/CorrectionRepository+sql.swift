import Foundation
import PostgresNIO
import RegistryCore

/// A clinical record as it stands, locked for correction or void.
public struct LockedRecord: Sendable {
    public let id: UUID
    /// The row as JSON with its database (snake_case) keys: the audit's "before".
    public let row: String
    public let version: Int
    public let voided: Bool
    public let courseStart: CalendarDate
    public let siteId: UUID
}

/// The tables whose rows clinicians may correct or void.
public enum CorrectableTable: String, Sendable, CaseIterable {
    case diagnosticBlocks = "diagnostic_blocks", treatmentSessions = "treatment_sessions", painScores = "pain_scores"
    case courseEvents = "course_events", screeningFindings = "screening_findings"
    case examinationFindings = "examination_findings", ultrasoundFindings = "ultrasound_findings"

    var audited: AuditedTable {
        switch self {
        case .diagnosticBlocks: .diagnosticBlocks
        case .treatmentSessions: .treatmentSessions
        case .painScores: .painScores
        case .courseEvents: .courseEvents
        case .screeningFindings: .screeningFindings
        case .examinationFindings: .examinationFindings
        case .ultrasoundFindings: .ultrasoundFindings
        }
    }
}

/// A record version that no longer matches If-Match: someone else changed it first.
public struct StaleVersion: Error, Sendable {
    public let current: Int
}

/// Corrections and voids: never an UPDATE without the expected version, never a DELETE, and
/// always an audit row with the record before and after, in the same transaction.
extension CorrectionRepository {
    /// Locks the record (FOR UPDATE) if it belongs to `courseId` and the course is within `scope`.
    func lockRecord(
        _ table: CorrectableTable, id: UUID, courseId: UUID, scope: Set<UUID>?,
        on connection: PostgresConnection
    ) async throws -> LockedRecord? {
        let row = try await connection.query(
            """
            SELECT to_jsonb(t)::text, t.version, t.voided_at IS NOT NULL, c.started_on::text, c.site_id
            FROM \(unescaped: table.rawValue) t JOIN treatment_courses c ON c.id = t.course_id
            WHERE t.id = \(id) AND t.course_id = \(courseId) FOR UPDATE OF t
            """, logger: logger
        ).decode((String, Int, Bool, String, UUID).self).first { _ in true }
        guard let row, scope?.contains(row.4) ?? true else { return nil }
        return LockedRecord(id: id, row: row.0, version: row.1, voided: row.2, courseStart: try calendarDate(row.3), siteId: row.4)
    }

    /// Writes `values` (snake_case column → JSON value, already validated) over the locked record
    /// if it is still at `expectedVersion`, bumping the version; returns the new row as JSON.
    public func correct(
        _ table: CorrectableTable, record: LockedRecord, values: [String: Any], expectedVersion: Int, actor: Actor,
        on connection: PostgresConnection
    ) async throws -> String {
        guard record.version == expectedVersion else { throw StaleVersion(current: record.version) }
        let columns = values.keys.sorted()
        guard !columns.isEmpty, columns.allSatisfy({ $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_" || $0.isNumber) } }) else {
            throw StoreError.configuration("correction with unusable columns \(columns)")
        }
        if table == .treatmentSessions, let clinician = (values["clinician_id"] as? String).flatMap(UUID.init(uuidString:)) {
            try await requireClinician(clinician, field: "clinicianId", at: record.siteId, on: connection)
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: values), as: UTF8.self)
        let list = columns.joined(separator: ", ")
        // A correction that changes nothing writes no version and no audit row: the database
        // compares the typed values, so "5" and 5.0 for a numeric column are the same.
        let updated = try await connection.query(
            """
            UPDATE \(unescaped: table.rawValue) t SET (\(unescaped: list)) = ROW(new.\(unescaped: columns.joined(separator: ", new."))),
                version = t.version + 1
            FROM jsonb_populate_record(NULL::\(unescaped: table.rawValue), \(json)::jsonb) new
            WHERE t.id = \(record.id) AND ROW(\(unescaped: columns.map { "t.\($0)" }.joined(separator: ", ")))
                  IS DISTINCT FROM ROW(\(unescaped: columns.map { "new.\($0)" }.joined(separator: ", ")))
            RETURNING 1
            """, logger: logger
        ).decode(Int.self).first { _ in true }
        guard updated != nil else { return record.row }
        try await auditChange("correct", table: table.audited, id: record.id, before: record.row, actor: actor, on: connection)
        return try await rowJSON(table, id: record.id, on: connection)
    }

    /// Voids the locked record with a reason; it stays, excluded from analysis.
    public func void(
        _ table: CorrectableTable, record: LockedRecord, reason: String, expectedVersion: Int, actor: Actor,
        on connection: PostgresConnection
    ) async throws -> String {
        guard record.version == expectedVersion else { throw StaleVersion(current: record.version) }
        try await connection.run(
            """
            UPDATE \(unescaped: table.rawValue) SET voided_at = now(), void_reason = \(reason), version = version + 1 WHERE id = \(record.id)
            """, logger)
        try await auditChange("void", table: table.audited, id: record.id, before: record.row, actor: actor, on: connection)
        return try await rowJSON(table, id: record.id, on: connection)
    }

    /// The procedures of a session, as the session input spells them (for re-validating a corrected session).
    public func procedureInputs(session id: UUID, on connection: PostgresConnection) async throws -> [[String: Any]] {
        var procedures: [[String: Any]] = []
        for try await (kind, injectate, volume, leukocytes, percent) in try await connection.query(
            """
            SELECT kind, injectate, volume_ml::float8, leukocytes, dextrose_percent::float8 FROM procedures WHERE session_id = \(id) ORDER BY position
            """, logger: logger
        ).decode((String, String?, Double?, String?, Double?).self) {
            var procedure: [String: Any] = ["kind": kind]
            procedure["injectate"] = injectate
            procedure["volumeMl"] = volume
            procedure["leukocytes"] = leukocytes
            procedure["dextrosePercent"] = percent
            procedures.append(procedure)
        }
        return procedures
    }

    private func rowJSON(_ table: CorrectableTable, id: UUID, on connection: PostgresConnection) async throws -> String {
        try await connection.query("SELECT to_jsonb(t)::text FROM \(unescaped: table.rawValue) t WHERE id = \(id)", logger: logger)
            .decode(String.self).first { _ in true } ?? "{}"
    }
}
