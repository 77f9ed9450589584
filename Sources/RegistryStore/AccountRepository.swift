import Foundation
import RegistryCore

/// Sign-in, sessions, tokens and users.
public struct AccountRepository: Repository {
    let registry: Registry

    public init(database: RegistryDatabase) { registry = Registry(database: database) }
    init(registry: Registry) { self.registry = registry }

    public func sites() async throws -> [SiteRecord] {
        try await database.withConnection { try await registry.sites(on: $0) }
    }

    public func users() async throws -> [UserRecord] {
        try await registry.database.withConnection { try await registry.users(on: $0) }
    }
}
