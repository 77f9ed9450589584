import Foundation
import PostgresNIO
import RegistryCore

/// Reads the active user behind a credential with their sites, after `found` (the credential's
/// row: id, user_id, used; `$1` is the credential's hash) and `touch` (an UPDATE of the rows in
/// `found`), in one statement.
private func principalSQL(found: String, touch: String) -> String {
    """
    WITH found AS (\(found)), touched AS (\(touch) RETURNING 1)
    SELECT u.id, u.username, u.role, coalesce(array_agg(us.site_id) FILTER (WHERE us.site_id IS NOT NULL), '{}')
    FROM found f JOIN users u ON u.id = f.user_id AND u.active AND u.disabled_at IS NULL
    LEFT JOIN user_sites us ON us.user_id = u.id GROUP BY u.id
    """
}

/// The user behind an API token's hash; the token's use is recorded at most once a minute.
struct PrincipalForToken: PostgresPreparedStatement {
    static let sql = principalSQL(
        found: """
            SELECT t.id, t.user_id, t.last_used_at AS used FROM api_tokens t
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
            """,
        touch:
            "UPDATE api_tokens SET last_used_at = now() WHERE id IN (SELECT id FROM found WHERE used IS NULL OR used < now() - interval '1 minute')")
    static let bindingDataTypes: [PostgresDataType] = [.text]
    typealias Row = (UUID, String, Role, [UUID])

    let hash: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(hash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The user behind a web session's hash, unless it ended, idled out (`$2` minutes) or outlived
/// its absolute lifetime (`$3` hours, however busy); each use extends the idle limit, recorded at
/// most once a minute.
struct PrincipalForSession: PostgresPreparedStatement {
    static let sql = principalSQL(
        found: """
            SELECT s.id_hash AS id, s.user_id, s.last_seen_at AS used FROM web_sessions s
            WHERE s.id_hash = $1 AND s.ended_at IS NULL AND s.last_seen_at > now() - $2 * interval '1 minute'
                  AND s.created_at > now() - $3 * interval '1 hour'
            """,
        touch: "UPDATE web_sessions SET last_seen_at = now() WHERE id_hash IN (SELECT id FROM found WHERE used < now() - interval '1 minute')")
    static let bindingDataTypes: [PostgresDataType] = [.text, .int4, .int4]
    typealias Row = (UUID, String, Role, [UUID])

    let hash: String
    let idleMinutes: Int
    let maxHours: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(hash)
        bindings.append(Int32(idleMinutes))
        bindings.append(Int32(maxHours))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
