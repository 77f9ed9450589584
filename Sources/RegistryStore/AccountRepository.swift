import Foundation
import RegistryCore

/// Sign-in, sessions, tokens and users.
public struct AccountRepository: Repository {
    let registry: Registry
    /// The server's memory of recent credentials (nil: every lookup asks the database).
    let credentials: CredentialCache?

    public init(database: RegistryDatabase) { self.init(registry: Registry(database: database), credentials: nil) }
    init(registry: Registry, credentials: CredentialCache?) {
        self.registry = registry
        self.credentials = credentials
    }

    public func sites() async throws -> [SiteRecord] {
        try await database.withConnection { try await registry.sites(on: $0) }
    }

    public func users() async throws -> [UserRecord] {
        try await registry.database.withConnection { try await registry.users(on: $0) }
    }
}
