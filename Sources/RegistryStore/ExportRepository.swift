import Foundation
import NIOCore
import PostgresNIO
import RegistryCore

/// De-identified research exports.
public struct ExportRepository: Repository {
    /// The primary: the audit row of each export.
    let database: RegistryDatabase
    /// Where the tables are read (a replica when one serves).
    let reads: ReadSource

    public init(database: RegistryDatabase, reads: ReadSource? = nil) {
        self.database = database
        self.reads = reads ?? ReadSource(primary: database)
    }

    /// One table as CSV text, in chunks, after auditing the export; one snapshot throughout.
    /// Returns the number of data rows.
    @discardableResult
    public func table(_ table: ExportTable, plan: ExportPlan, by actor: Actor, emit: (ByteBuffer) async throws -> Void) async throws -> Int {
        try await auditExport(plan, tables: [table.rawValue], actor: actor)
        return try await inSnapshot(plan) { try await exportTable(table, plan: plan, on: $0, emit: emit) }
    }

    /// Runs `body` in the export's snapshot (`beginExport`) on the read source, except for a
    /// cohort's selection: its temporary table of courses cannot be made on a standby, so it
    /// reads the primary.
    func inSnapshot<T: Sendable>(_ plan: ExportPlan, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let source = plan.selection.cohort == nil ? await reads.choose().0 : database
        return try await source.transaction { connection in
            try await beginExport(plan, on: connection)
            return try await body(connection)
        }
    }
}
