import Foundation
import NIOCore
import RegistryCore

/// De-identified research exports.
public struct ExportRepository: Repository {
    let database: RegistryDatabase

    public init(database: RegistryDatabase) { self.database = database }

    /// One table as CSV text, in chunks, after auditing the export; one snapshot throughout.
    /// Returns the number of data rows.
    @discardableResult
    public func table(_ table: ExportTable, plan: ExportPlan, by actor: Actor, emit: (ByteBuffer) async throws -> Void) async throws -> Int {
        try await auditExport(plan, tables: [table.rawValue], actor: actor)
        return try await database.transaction { connection in
            try await beginExport(plan, on: connection)
            return try await exportTable(table, plan: plan, on: connection, emit: emit)
        }
    }
}
