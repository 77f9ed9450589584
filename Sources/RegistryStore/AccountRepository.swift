import Foundation
import PostgresNIO
import RegistryCore

/// Sign-in, sessions, tokens and users, and the sites they work at.
public struct AccountRepository: Repository {
    let database: RegistryDatabase
    /// The server's memory of recent credentials (nil: every lookup asks the database).
    let credentials: CredentialCache?

    public init(database: RegistryDatabase) { self.init(database: database, credentials: nil) }
    init(database: RegistryDatabase, credentials: CredentialCache?) {
        self.database = database
        self.credentials = credentials
    }

    public func sites() async throws -> [SiteRecord] {
        try await database.withConnection { try await sites(on: $0) }
    }

    public func users() async throws -> [UserRecord] {
        try await database.withConnection { try await users(on: $0) }
    }

    /// Registers a site (the CLI's seed and the demo data; sites change rarely and by hand).
    public func addSite(code: String, name: String, actor: Actor) async throws -> SiteRecord {
        try await database.transaction { try await insertSite(code: code, name: name, actor: actor, on: $0) }
    }

    /// Adds a user with an already hashed password (nil: cannot sign in until given one), at
    /// sites given by id.
    public func addUser(
        username: String, displayName: String, role: Role, siteIds: [UUID], passwordHash: String?, actor: Actor
    ) async throws -> UserRecord {
        try await database.transaction {
            try await insertUser(
                username: username, displayName: displayName, role: role, siteIds: siteIds, passwordHash: passwordHash, actor: actor, on: $0)
        }
    }
}

/// Sites and users: the reference data courses point at.
extension AccountRepository {
    func insertSite(code: String, name: String, actor: Actor, on connection: PostgresConnection) async throws -> SiteRecord {
        let id = UUID()
        try await connection.run("INSERT INTO sites (id, code, name) VALUES (\(id), \(code), \(name))", logger)
        try await auditCreate(.sites, id: id, actor: actor, on: connection)
        return SiteRecord(id: id, code: code, name: name)
    }

    /// Creates a user; `passwordHash` is a bcrypt hash (nil: the user cannot log in until given one).
    func insertUser(
        username: String, displayName: String, role: Role, siteIds: [UUID], passwordHash: String? = nil, actor: Actor,
        on connection: PostgresConnection
    ) async throws -> UserRecord {
        let id = UUID()
        try await connection.run(
            """
            INSERT INTO users (id, username, display_name, role, password_hash)
            VALUES (\(id), \(username), \(displayName), \(role.rawValue), \(passwordHash))
            """, logger)
        for siteId in siteIds {
            try await connection.run("INSERT INTO user_sites (user_id, site_id) VALUES (\(id), \(siteId))", logger)
        }
        try await auditCreate(.users, id: id, actor: actor, on: connection)
        return UserRecord(id: id, username: username, displayName: displayName, role: role, active: true, siteIds: siteIds)
    }

    func sites(on connection: PostgresConnection) async throws -> [SiteRecord] {
        var sites: [SiteRecord] = []
        for try await (id, code, name) in try await connection.query("SELECT id, code, name FROM sites ORDER BY code", logger: logger)
            .decode((UUID, String, String).self)
        {
            sites.append(SiteRecord(id: id, code: code, name: name))
        }
        return sites
    }

    func users(on connection: PostgresConnection) async throws -> [UserRecord] {
        var users: [UserRecord] = []
        for try await r in try await connection.query(
            """
            SELECT u.id, u.username, u.display_name, u.role, u.active AND u.disabled_at IS NULL,
                   coalesce(array_agg(s.site_id ORDER BY s.site_id) FILTER (WHERE s.site_id IS NOT NULL), '{}')
            FROM users u LEFT JOIN user_sites s ON s.user_id = u.id GROUP BY u.id ORDER BY u.username
            """, logger: logger
        ).decode((UUID, String, String, Role, Bool, [UUID]).self) {
            users.append(UserRecord(id: r.0, username: r.1, displayName: r.2, role: r.3, active: r.4, siteIds: r.5))
        }
        return users
    }
}
