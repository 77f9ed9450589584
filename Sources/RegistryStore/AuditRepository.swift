import Foundation
import RegistryCore

/// The append-only audit trail.
public struct AuditRepository: Repository {
    let registry: Registry

    public init(database: RegistryDatabase) { registry = Registry(database: database) }
    init(registry: Registry) { self.registry = registry }

    public func entries(_ query: AuditQuery) async throws -> [AuditEntry] {
        try await database.withConnection { try await entries(query, on: $0) }
    }
}
