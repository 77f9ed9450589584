import Foundation
import RegistryCore

/// Sign-in, sessions, tokens and users.
public struct AccountRepository: Repository {
    let registry: Registry

    public init(database: RegistryDatabase) { registry = Registry(database: database) }
    init(registry: Registry) { self.registry = registry }

    /// The active user a bearer token names. Every API request starts here, so the lookup is
    /// bounded: an unreachable database answers `StoreError.unavailable` within seconds.
    public func principal(forToken token: String) async throws -> Principal? {
        try await database.answering { try await lookUpPrincipal(forToken: token) }
    }

    /// The active user of a web session that has not been idle too long (the same bound).
    public func principal(forSession token: String, idleMinutes: Int) async throws -> Principal? {
        try await database.answering { try await lookUpPrincipal(forSession: token, idleMinutes: idleMinutes) }
    }

    /// Checks a password, with throttling; generous bound, since throttled attempts wait on purpose.
    public func login(username: String, password: String, address: String, rules: RegistryConfig.Auth) async throws -> LoginResult {
        try await database.answering(within: 20) { try await checkLogin(username: username, password: password, address: address, rules: rules) }
    }

    public func sites() async throws -> [SiteRecord] {
        try await database.withConnection { try await registry.sites(on: $0) }
    }

    public func users() async throws -> [UserRecord] {
        try await registry.database.withConnection { try await registry.users(on: $0) }
    }
}
