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

extension Registry {
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
            let claimed = try await connection.query("""
                INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (\(idempotency.key), \(idempotency.requestHash), 0, ''::bytea)
                ON CONFLICT (key) DO NOTHING RETURNING 1
                """, logger: logger).decode(Int.self).first { _ in true } != nil
            guard claimed else { return try await replay(idempotency, on: connection) }
            return try await respond(idempotency, with: try await write(connection), on: connection)
        }
    }

    /// The same for a record of a course: the key is claimed and the course locked (absent, voided
    /// or at a site outside `scope`: not found) in one statement, a round trip saved on the
    /// busiest writes. A retried key is answered before the course is looked at.
    func idempotentWrite(_ idempotency: Idempotency?, toCourse courseId: UUID, scope: Set<UUID>?,
                         _ write: (OpenCourse, PostgresConnection) async throws -> some Encodable) async throws -> Written {
        guard let idempotency else {
            return try await idempotentWrite(nil) { connection in try await write(try await openCourse(courseId, scope: scope, on: connection), connection) }
        }
        return try await database.transaction { connection in
            let row = try await connection.query("""
                WITH claim AS (
                    INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (\(idempotency.key), \(idempotency.requestHash), 0, ''::bytea)
                    ON CONFLICT (key) DO NOTHING RETURNING 1),
                course AS (SELECT started_on::text AS started_on, clinician_id, site_id FROM treatment_courses
                           WHERE id = \(courseId) AND voided_at IS NULL FOR SHARE)
                SELECT (SELECT count(*)::int FROM claim), course.started_on, course.clinician_id, course.site_id
                FROM (SELECT 1) AS one LEFT JOIN course ON true
                """, logger: logger).decode((Int, String?, UUID?, UUID?).self).first { _ in true }
            guard let row, row.0 == 1 else { return try await replay(idempotency, on: connection) }
            guard let startedOn = row.1, let clinicianId = row.2, let siteId = row.3, scope?.contains(siteId) ?? true else {
                throw StoreError.notFound("course \(courseId)")
            }
            let course = OpenCourse(id: courseId, startedOn: try calendarDate(startedOn), clinicianId: clinicianId)
            return try await respond(idempotency, with: try await write(course, connection), on: connection)
        }
    }

    /// The first answer to a key claimed before (blocking until that write committed), or
    /// `idempotencyKeyReused` when the key came with another request.
    private func replay(_ idempotency: Idempotency, on connection: PostgresConnection) async throws -> Written {
        let stored = try await connection.query("SELECT request_hash, response FROM idempotency_keys WHERE key = \(idempotency.key)",
                                                logger: logger).decode((String, Data).self).first { _ in true }
        guard let stored, stored.0 == idempotency.requestHash else { throw StoreError.idempotencyKeyReused }
        return Written(body: stored.1, replayed: true)
    }

    /// Stores the answer with the claimed key (status 1: done; 0 marks a claim still under way).
    private func respond(_ idempotency: Idempotency, with record: some Encodable, on connection: PostgresConnection) async throws -> Written {
        let body = try RecordJSON.encode(record)
        try await connection.run("UPDATE idempotency_keys SET status = 1, response = \(body) WHERE key = \(idempotency.key)", logger)
        return Written(body: body, replayed: false)
    }
}
