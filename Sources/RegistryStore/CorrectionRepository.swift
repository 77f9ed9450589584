import Foundation
import PostgresNIO
import RegistryCore

/// A record as it stands when a correction is worked out: its row (database column names, as
/// JSON), the course's start, and for a session its procedures as the session input spells them.
public struct CurrentRecord {
    public let table: CorrectableTable
    public let row: String
    public let courseStart: CalendarDate
    public let procedures: [[String: Any]]?
}

/// A corrected or voided record in the shape GET and POST give it, and its new version.
public struct ChangedRecord: Sendable {
    public let body: Data
    public let version: Int
}

/// Corrections and voids of clinical records: the record is found among `tables` (findings
/// live in three), locked, checked against the version the caller saw, changed and audited with
/// its before and after, in one transaction. Both answer the record as the timeline shows it.
public struct CorrectionRepository: CourseRows {
    let database: RegistryDatabase
    let rules: ClinicalRules

    /// `revise` works out the new column values (snake_case names) from the record as it stands;
    /// it must not reach the database, and throws `ValidationFailure` for a correction that
    /// breaks a rule, so nothing is written.
    public func correct(
        in tables: [CorrectableTable], id: UUID, courseId: UUID, scope: Set<UUID>?, expectedVersion: Int,
        by actor: Actor, revise: (CurrentRecord) throws -> [String: Any]
    ) async throws -> ChangedRecord {
        try await database.transaction { connection in
            let (table, record) = try await locate(tables, id: id, courseId: courseId, scope: scope, on: connection)
            guard !record.voided else { throw StoreError.conflict(field: "id", message: "a voided record cannot be corrected") }
            let procedures = table == .treatmentSessions ? try await procedureInputs(session: id, on: connection) : nil
            let values = try revise(CurrentRecord(table: table, row: record.row, courseStart: record.courseStart, procedures: procedures))
            _ = try await correct(table, record: record, values: values, expectedVersion: expectedVersion, actor: actor, on: connection)
            return try await changed(id, courseId: courseId, on: connection)
        }
    }

    /// Voids the record with a reason; it stays in the timeline, excluded from every analysis.
    public func void(
        in tables: [CorrectableTable], id: UUID, courseId: UUID, scope: Set<UUID>?, reason: String, expectedVersion: Int,
        by actor: Actor
    ) async throws -> ChangedRecord {
        try await database.transaction { connection in
            let (table, record) = try await locate(tables, id: id, courseId: courseId, scope: scope, on: connection)
            guard !record.voided else { throw StoreError.conflict(field: "id", message: "the record is already voided") }
            _ = try await void(table, record: record, reason: reason, expectedVersion: expectedVersion, actor: actor, on: connection)
            return try await changed(id, courseId: courseId, on: connection)
        }
    }

    /// The record as the course's timeline shows it, read in the transaction that changed it.
    private func changed(_ id: UUID, courseId: UUID, on connection: PostgresConnection) async throws -> ChangedRecord {
        guard let timeline = try await timeline(courseId, rules: rules.block, on: connection) else {
            throw StoreError.notFound("course \(courseId)")
        }
        func answer(_ record: some Encodable, _ version: Int) throws -> ChangedRecord {
            ChangedRecord(body: try RecordJSON.encode(record), version: version)
        }
        if let block = timeline.blocks.first(where: { $0.id == id }) { return try answer(block, block.version) }
        if let session = timeline.sessions.first(where: { $0.id == id }) { return try answer(session, session.version) }
        if let score = timeline.painScores.first(where: { $0.id == id }) { return try answer(score, score.version) }
        if let event = timeline.events.first(where: { $0.id == id }) { return try answer(event, event.version) }
        if let finding = timeline.findings.screening.first(where: { $0.id == id }) { return try answer(finding, finding.version) }
        if let finding = timeline.findings.examination.first(where: { $0.id == id }) { return try answer(finding, finding.version) }
        if let finding = timeline.findings.ultrasound.first(where: { $0.id == id }) { return try answer(finding, finding.version) }
        throw StoreError.notFound("record \(id)")
    }

    private func locate(
        _ tables: [CorrectableTable], id: UUID, courseId: UUID, scope: Set<UUID>?,
        on connection: PostgresConnection
    ) async throws -> (CorrectableTable, LockedRecord) {
        for table in tables {
            if let record = try await lockRecord(table, id: id, courseId: courseId, scope: scope, on: connection) { return (table, record) }
        }
        throw StoreError.notFound("record \(id)")
    }
}
