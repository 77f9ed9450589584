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

/// Corrections and voids of clinical records: the record is found among `tables` (findings
/// live in three), locked, checked against the version the caller saw, changed and audited with
/// its before and after, in one transaction. Both answer the changed row as JSON.
public struct CorrectionRepository: Sendable {
    let registry: Registry

    /// `revise` works out the new column values (snake_case names) from the record as it stands;
    /// it must not reach the database, and throws `ValidationFailure` for a correction that
    /// breaks a rule, so nothing is written.
    public func correct(in tables: [CorrectableTable], id: UUID, courseId: UUID, scope: Set<UUID>?, expectedVersion: Int,
                        by actor: Actor, revise: (CurrentRecord) throws -> [String: Any]) async throws -> String {
        try await registry.database.transaction { connection in
            let (table, record) = try await locate(tables, id: id, courseId: courseId, scope: scope, on: connection)
            guard !record.voided else { throw StoreError.conflict(field: "id", message: "a voided record cannot be corrected") }
            let procedures = table == .treatmentSessions ? try await registry.procedureInputs(session: id, on: connection) : nil
            let values = try revise(CurrentRecord(table: table, row: record.row, courseStart: record.courseStart, procedures: procedures))
            return try await registry.correct(table, record: record, values: values, expectedVersion: expectedVersion, actor: actor, on: connection)
        }
    }

    /// Voids the record with a reason; it stays in the timeline, excluded from every analysis.
    public func void(in tables: [CorrectableTable], id: UUID, courseId: UUID, scope: Set<UUID>?, reason: String, expectedVersion: Int,
                     by actor: Actor) async throws -> String {
        try await registry.database.transaction { connection in
            let (table, record) = try await locate(tables, id: id, courseId: courseId, scope: scope, on: connection)
            guard !record.voided else { throw StoreError.conflict(field: "id", message: "the record is already voided") }
            return try await registry.void(table, record: record, reason: reason, expectedVersion: expectedVersion, actor: actor, on: connection)
        }
    }

    private func locate(_ tables: [CorrectableTable], id: UUID, courseId: UUID, scope: Set<UUID>?,
                        on connection: PostgresConnection) async throws -> (CorrectableTable, LockedRecord) {
        for table in tables {
            if let record = try await registry.lockRecord(table, id: id, courseId: courseId, scope: scope, on: connection) { return (table, record) }
        }
        throw StoreError.notFound("record \(id)")
    }
}
