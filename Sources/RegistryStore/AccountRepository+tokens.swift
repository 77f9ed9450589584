import Foundation
import PostgresNIO
import RegistryCore

extension AccountRepository {
    /// Every token, newest first.
    public func tokens() async throws -> [TokenRecord] {
        try await database.withConnection { connection in
            var tokens: [TokenRecord] = []
            for try await r in try await connection.query(
                """
                SELECT t.id, u.username, t.label, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
                FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id
                """, logger: logger
            ).decode((UUID, String, String, Date, Date, Date?, Date?).self) {
                tokens.append(TokenRecord(id: r.0, username: r.1, label: r.2, createdAt: r.3, expiresAt: r.4, lastUsedAt: r.5, revokedAt: r.6))
            }
            return tokens
        }
    }
}
