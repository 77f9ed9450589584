import Foundation
import PostgresNIO

/// A response as first sent, kept so a retried POST gets it again byte for byte.
public struct StoredResponse: Sendable, Equatable {
    public let status: Int
    public let body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

extension Registry {
    /// Runs `write` in one transaction, at most once per idempotency key.
    ///
    /// The key is claimed with an INSERT in the same transaction as the write: a concurrent retry
    /// blocks on the key's unique index until the first commits, then reads its response; if the
    /// first fails and rolls back, the key is free again. So a retry never writes twice and never
    /// sees a half-done write. The same key with a different request is refused.
    public func idempotentWrite(key: String?, requestHash: String,
                                _ write: (PostgresConnection) async throws -> StoredResponse) async throws -> StoredResponse {
        try await database.transaction { connection in
            guard let key else { return try await write(connection) }
            let claimed = try await connection.query("""
                INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (\(key), \(requestHash), 0, ''::bytea)
                ON CONFLICT (key) DO NOTHING RETURNING 1
                """, logger: logger).decode(Int.self).first { _ in true } != nil
            if !claimed {
                let stored = try await connection.query("SELECT request_hash, status, response FROM idempotency_keys WHERE key = \(key)",
                                                        logger: logger).decode((String, Int, Data).self).first { _ in true }
                guard let stored, stored.0 == requestHash else { throw StoreError.idempotencyKeyReused }
                return StoredResponse(status: stored.1, body: stored.2)
            }
            let response = try await write(connection)
            try await connection.run("UPDATE idempotency_keys SET status = \(response.status), response = \(response.body) WHERE key = \(key)", logger)
            return response
        }
    }
}
