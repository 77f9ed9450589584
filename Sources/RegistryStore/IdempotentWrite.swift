import Foundation
import PostgresNIO
import RegistryCore

/// A write's Idempotency-Key, scoped by the caller, with a hash of the request it came with.
public struct Idempotency: Sendable, Equatable {
    public let key: String
    public let requestHash: String

    public init(key: String, requestHash: String) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// What a write answers: the JSON of the record, and whether it is the first answer again
/// (a retried Idempotency-Key) rather than a new write.
public struct Written: Sendable, Equatable {
    public let body: Data
    public let replayed: Bool
}

extension Repository {
    /// Runs `write` in one transaction, at most once per idempotency key, and returns the JSON of
    /// what it wrote: the first write's, byte for byte, on every retry.
    ///
    /// The key is claimed with an INSERT in the same transaction as the write: a concurrent retry
    /// blocks on the key's unique index until the first commits, then reads its answer; if the
    /// first fails and rolls back, the key is free again. So a retry never writes twice and never
    /// sees a half-done write. The same key with a different request is refused.
    func idempotentWrite(_ idempotency: Idempotency?, _ write: (PostgresConnection) async throws -> some Encodable) async throws -> Written {
        try await database.transaction { connection in
            guard let idempotency else { return Written(body: try RecordJSON.encode(try await write(connection)), replayed: false) }
            let key = idempotency.key
            let claimed =
                try await connection.query(
                    """
                    INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (\(key), \(idempotency.requestHash), 0, ''::bytea)
                    ON CONFLICT (key) DO NOTHING RETURNING 1
                    """, logger: logger
                ).decode(Int.self).first { _ in true } != nil
            if !claimed {
                let stored = try await connection.query(
                    "SELECT request_hash, response FROM idempotency_keys WHERE key = \(key)",
                    logger: logger
                ).decode((String, Data).self).first { _ in true }
                guard let stored, stored.0 == idempotency.requestHash else { throw StoreError.idempotencyKeyReused }
                return Written(body: stored.1, replayed: true)
            }
            let body = try RecordJSON.encode(try await write(connection))
            // status 1: done (0 marks a claim whose write is still under way).
            try await connection.run("UPDATE idempotency_keys SET status = 1, response = \(body) WHERE key = \(key)", logger)
            return Written(body: body, replayed: false)
        }
    }
}
