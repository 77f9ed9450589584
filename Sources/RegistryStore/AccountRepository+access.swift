import Foundation
import HummingbirdBcrypt
import PostgresNIO
import RegistryCore
import Synchronization

/// What a login attempt came to.
public enum LoginResult: Sendable, Equatable {
    case success(Principal, sessionToken: String)
    /// `slowDownSeconds`: after repeated failures the caller holds its answer this long.
    case failure(slowDownSeconds: Int)
    /// Too many failures: refused without checking the password, for this many seconds.
    case throttled(retryAfterSeconds: Int)
}

extension AccountRepository {
    /// The user behind an API token, if it is known, unexpired, unrevoked and its user active:
    /// one statement, which records the use at most once a minute (so a busy client does not
    /// write a row per request).
    public func principal(forToken token: String) async throws -> Principal? {
        let hash = Secret.hash(token)
        return try await remembered(hash) { try await principal(PrincipalForToken(hash: hash)) }
    }

    /// The user behind a session cookie, if the session has not ended, idled out or outlived
    /// `maxHours`; each use extends the idle limit (recorded at most once a minute).
    public func principal(forSession token: String, idleMinutes: Int, maxHours: Int) async throws -> Principal? {
        let hash = Secret.hash(token)
        return try await remembered(hash) { try await principal(PrincipalForSession(hash: hash, idleMinutes: idleMinutes, maxHours: maxHours)) }
    }

    /// The cached owner of a credential's hash, else `lookup`'s answer (remembered when found).
    private func remembered(_ hash: String, _ lookup: () async throws -> Principal?) async throws -> Principal? {
        if let known = credentials?.principal(for: hash) { return known }
        let found = try await lookup()
        if let found { credentials?.remember(found, for: hash) }
        return found
    }

    /// Every request asks this first, so it is a named prepared statement (planned once per connection).
    private func principal<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> Principal?
    where Statement.Row == (UUID, String, Role, [UUID]) {
        guard let row = try await database.withConnection({ try await $0.execute(statement, logger: logger).first { _ in true } }) else { return nil }
        return Principal(userId: row.0, username: row.1, role: row.2, siteIds: Set(row.3))
    }

    func principal(_ userId: UUID, on connection: PostgresConnection) async throws -> Principal? {
        let row = try await connection.query(
            """
            SELECT u.username, u.role, coalesce(array_agg(s.site_id) FILTER (WHERE s.site_id IS NOT NULL), '{}')
            FROM users u LEFT JOIN user_sites s ON s.user_id = u.id WHERE u.id = \(userId) GROUP BY u.id
            """, logger: logger
        ).decode((String, Role, [UUID]).self).first { _ in true }
        guard let row else { return nil }
        return Principal(userId: userId, username: row.0, role: row.1, siteIds: Set(row.2))
    }

    /// The longest a failed sign-in's answer is held back (the sign-in route's time bound allows for it).
    public static let longestSlowDownSeconds = 8

    /// Checks a password, throttling by account and address, and opens a web session on
    /// success. Every attempt is recorded and audited.
    ///
    /// Failures are counted for this account from this address, for this address over all
    /// accounts, and for this account from everywhere. After `auth.slowdownAfterFailures` each
    /// attempt waits longer before it is answered; after `auth.lockoutAfterFailures` attempts are
    /// refused outright until `auth.lockoutMinutes` pass without a counted failure. The account's
    /// own count refuses only addresses it has not signed in from (in 90 days), so a stranger
    /// guessing elsewhere cannot keep its owner out (a soft lockout, ASVS 2.2.1). Refused attempts
    /// are recorded but not counted. An unknown username costs the same bcrypt work as a known
    /// one, so timing does not reveal which accounts exist.
    public func login(username typed: String, password: String, address: String, rules: RegistryConfig.Auth) async throws -> LoginResult {
        // A username with control characters (a NUL cannot even be stored) names no account; it
        // is counted as it can be stored, so it is throttled like any other guess.
        let username = String(
            String.UnicodeScalarView(typed.unicodeScalars.prefix(200).map { $0.properties.generalCategory == .control ? "\u{FFFD}" : $0 }))
        let window = rules.lockoutMinutes
        let counts = try await database.withConnection { connection in
            try await connection.query(
                """
                WITH recent AS (SELECT username, address FROM login_attempts
                                WHERE NOT success AND NOT refused AND at > now() - \(window) * interval '1 minute'
                                  AND (username = \(username) OR address = \(address)))
                SELECT (SELECT count(*) FROM recent WHERE username = \(username) AND address = \(address)),
                       (SELECT count(*) FROM recent WHERE address = \(address)),
                       (SELECT count(*) FROM recent WHERE username = \(username)),
                       EXISTS (SELECT 1 FROM login_attempts WHERE username = \(username) AND address = \(address) AND success
                               AND at > now() - interval '90 days')
                """, logger: logger
            ).decode((Int, Int, Int, Bool).self).first { _ in true } ?? (0, 0, 0, false)
        }
        let failures = max(counts.0, counts.1, counts.3 ? 0 : counts.2)
        let actor = Actor(userId: nil, label: username, route: "POST /login")
        if failures >= rules.lockoutAfterFailures {
            try await recordAttempt(
                username: username, address: address, userId: nil, success: false, refused: true, actor: actor, note: "refused: locked out")
            return .throttled(retryAfterSeconds: window * 60)
        }
        // The answer to a failure is held back longer the more failures came before (the store
        // says how long; holding the HTTP answer is the caller's business).
        let slowDown =
            failures >= rules.slowdownAfterFailures ? min(Self.longestSlowDownSeconds, 1 << min(failures - rules.slowdownAfterFailures, 3)) : 0
        let account = try await database.withConnection { connection in
            try await connection.query(
                """
                SELECT id, password_hash FROM users WHERE username = \(username) AND active AND disabled_at IS NULL
                """, logger: logger
            ).decode((UUID, String?).self).first { _ in true }
        }
        let hash = account?.1 ?? Self.unmatchableHash(cost: rules.bcryptCost)
        // bcrypt reads only a password's first 72 bytes; no longer one is ever set, so none signs in.
        let verified =
            try await Passwords.verify(password, against: hash) && account?.1 != nil && password.utf8.count <= Passwords.maximumBytes
            && !password.utf8.contains(0)
        guard verified, let userId = account?.0 else {
            try await recordAttempt(
                username: username, address: address, userId: nil, success: false, refused: false, actor: actor,
                note: "wrong username or password")
            return .failure(slowDownSeconds: slowDown)
        }
        let token = Secret.generate(prefix: "scn_s_")
        let signedIn = try await database.transaction { connection in
            try await connection.run("INSERT INTO web_sessions (id_hash, user_id) VALUES (\(Secret.hash(token)), \(userId))", logger)
            return try await self.principal(userId, on: connection)
        }
        try await recordAttempt(
            username: username, address: address, userId: userId, success: true, refused: false,
            actor: Actor(userId: userId, label: username, route: "POST /login"), note: nil)
        guard let signedIn else { return .failure(slowDownSeconds: slowDown) }
        return .success(signedIn, sessionToken: token)
    }

    /// A bcrypt hash no password matches, verified against when the account does not exist; one
    /// per work factor, made once.
    static func unmatchableHash(cost: Int) -> String {
        unmatchableHashes.withLock { hashes in
            if let hash = hashes[cost] { return hash }
            let hash = Bcrypt.hash(Secret.generate(prefix: ""), cost: UInt8(cost))
            hashes[cost] = hash
            return hash
        }
    }

    private static let unmatchableHashes = Mutex<[Int: String]>([:])

    private func recordAttempt(
        username: String, address: String, userId: UUID?, success: Bool, refused: Bool, actor: Actor, note: String?
    ) async throws {
        try await database.transaction { connection in
            try await connection.run(
                """
                INSERT INTO login_attempts (username, address, success, refused) VALUES (\(username), \(address), \(success), \(refused))
                """, logger)
            let details = note.map { "{\"address\":\(jsonString(address)),\"note\":\(jsonString($0))}" } ?? "{\"address\":\(jsonString(address))}"
            try await auditAction(success ? "login" : "login_failed", actor: actor, details: details, on: connection)
        }
    }

    public func logout(sessionToken: String) async throws {
        try await database.transaction {
            let hash = Secret.hash(sessionToken)
            try await $0.run("UPDATE web_sessions SET ended_at = now() WHERE id_hash = \(hash) AND ended_at IS NULL", logger)
            // What the session's forms held (names, MRNs) goes with it.
            try await $0.run("DELETE FROM form_drafts WHERE session_hash = \(hash)", logger)
        }
        credentials?.forgetAll()
    }
}

/// A JSON string literal, for audit details assembled in SQL-free code.
func jsonString(_ text: String) -> String {
    String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
}
