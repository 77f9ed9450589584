import Foundation
import HummingbirdBcrypt
import PostgresNIO
import RegistryCore

/// Account administration, for `registry user …`. Every change is audited.
extension AccountRepository {
    public func addUser(
        username: String, displayName: String, role: Role, siteCodes: [String], password: String,
        rules: RegistryConfig.Auth, actor: Actor
    ) async throws -> UserRecord {
        try Self.checkPassword(password, rules: rules)
        let hash = try await Passwords.hash(password, cost: rules.bcryptCost)
        return try await database.transaction { connection in
            var siteIds: [UUID] = []
            for code in siteCodes {
                let id = try await connection.query("SELECT id FROM sites WHERE code = \(code)", logger: logger).decode(UUID.self).first { _ in true }
                guard let id else { throw ValidationFailure(field: "site", rule: "exists", message: "no site has the code \(code)") }
                siteIds.append(id)
            }
            return try await insertUser(
                username: username, displayName: displayName, role: role, siteIds: siteIds, passwordHash: hash,
                actor: actor, on: connection)
        }
    }

    public static func checkPassword(_ password: String, rules: RegistryConfig.Auth) throws(ValidationFailure) {
        guard password.count >= rules.minimumPasswordLength else {
            throw ValidationFailure(field: "password", rule: "min_length", message: "must be at least \(rules.minimumPasswordLength) characters")
        }
        guard password.utf8.count <= Passwords.maximumBytes else {
            throw ValidationFailure(
                field: "password", rule: "max_length",
                message: "must be at most \(Passwords.maximumBytes) bytes (72 letters of English, 24 Chinese characters): bcrypt ignores the rest")
        }
    }

    /// Disables an account and ends its sessions and tokens at once; false when it was disabled
    /// already (a second click changes nothing). An unknown username is not found.
    @discardableResult
    public func disableUser(username: String, actor: Actor) async throws -> Bool {
        let disabled = try await database.transaction { connection -> Bool in
            let row = try await connection.query(
                """
                SELECT id, disabled_at IS NOT NULL FROM users WHERE username = \(username) FOR UPDATE
                """, logger: logger
            ).decode((UUID, Bool).self).first { _ in true }
            guard let (id, already) = row else { throw StoreError.notFound("user \(username)") }
            if already { return false }
            try await connection.run("UPDATE users SET disabled_at = now() WHERE id = \(id)", logger)
            try await connection.run("UPDATE web_sessions SET ended_at = now() WHERE user_id = \(id) AND ended_at IS NULL", logger)
            try await connection.run(
                "DELETE FROM form_drafts WHERE session_hash IN (SELECT id_hash FROM web_sessions WHERE user_id = \(id))", logger)
            try await connection.run("UPDATE api_tokens SET revoked_at = now() WHERE user_id = \(id) AND revoked_at IS NULL", logger)
            try await auditChange("correct", table: .users, id: id, before: nil, actor: actor, on: connection)
            return true
        }
        if disabled { credentials?.forgetAll() }
        return disabled
    }

    /// Issues an API token and returns it: the only time it is shown, since only its hash is kept.
    public func issueToken(username: String, label: String, days: Int, actor: Actor) async throws -> (id: UUID, token: String, expires: Date) {
        let token = Secret.generate(prefix: "scn_t_")
        return try await database.transaction { connection in
            let row = try await connection.query(
                """
                INSERT INTO api_tokens (user_id, token_hash, label, expires_at)
                SELECT id, \(Secret.hash(token)), \(label), now() + \(days) * interval '1 day' FROM users
                WHERE username = \(username) AND active AND disabled_at IS NULL
                RETURNING id, expires_at
                """, logger: logger
            ).decode((UUID, Date).self).first { _ in true }
            guard let row else { throw StoreError.notFound("active user \(username)") }
            try await auditAction(
                "create", actor: actor, details: "{\"api_token\":\"\(row.0.uuidString.lowercased())\",\"user\":\(jsonString(username))}",
                on: connection)
            return (row.0, token, row.1)
        }
    }

    public func revokeToken(id: UUID, actor: Actor) async throws {
        try await database.transaction { connection in
            let revoked = try await connection.query(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING 1",
                logger: logger
            ).decode(Int.self).first { _ in true }
            guard revoked != nil else { throw StoreError.notFound("unrevoked token \(id)") }
            try await auditAction("void", actor: actor, details: "{\"api_token\":\"\(id.uuidString.lowercased())\"}", on: connection)
        }
        credentials?.forgetAll()
    }
}
