import Foundation
import RegistryCore

/// The append-only audit trail.
public struct AuditRepository: Repository {
    let database: RegistryDatabase

    public init(database: RegistryDatabase) { self.database = database }

    /// The trail, newest first. Without `identities` (a role that may not read them, such as
    /// the admin's), a patient identity row shows only its patient and site: the trail must not
    /// be a way round the identity rule.
    public func entries(_ query: AuditQuery, identities: Bool) async throws -> [AuditEntry] {
        try await database.withConnection { try await entries(query, identities: identities, on: $0) }
    }
}
