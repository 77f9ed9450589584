import Foundation
import Logging
import PostgresNIO

/// Applies the numbered SQL files of `Schema/` in order, each in its own transaction, and
/// records every applied file's name and SHA-256.
///
/// An advisory lock serialises concurrent migrators (two replicas starting together). A file
/// whose content changed after it was applied stops everything: forward-only migrations mean a
/// fix is a new file, never an edit.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let name: String
        public let sql: String
        public var checksum: String {
            Hashing.sha256Hex(Data(sql.utf8))
        }
    }

    public enum Status: Sendable, Equatable {
        case current
        case pending([String])
    }

    /// Arbitrary but fixed: the key of the advisory lock every migrator takes.
    static let lockKey = 7_263_001
    public let migrations: [Migration]

    public init(directory: URL) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError.configuration("cannot read the Schema folder at \(directory.path)")
        }
        migrations = try names.filter { $0.hasSuffix(".sql") }.sorted().map { name in
            Migration(name: name, sql: try String(contentsOf: directory.appending(path: name), encoding: .utf8))
        }
    }

    /// `REGISTRY_SCHEMA` names the folder, else `Schema/` in the working directory.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["REGISTRY_SCHEMA"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: "Schema")
    }

    /// Applies pending files; returns their names.
    @discardableResult
    public func migrate(_ database: RegistryDatabase) async throws -> [String] {
        try await database.withConnection { connection in
            let logger = database.logger
            try await connection.run("SELECT pg_advisory_lock(\(Self.lockKey))", logger)
            do {
                try await connection.run(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger)
                let applied = try await appliedChecksums(connection, logger)
                try verify(applied)
                var done: [String] = []
                for migration in migrations where applied[migration.name] == nil {
                    try await connection.withTransaction(logger: logger) { transaction in
                        for statement in SQLScript.statements(migration.sql) {
                            try await transaction.run(PostgresQuery(unsafeSQL: statement), logger)
                        }
                        try await transaction.run(
                            "INSERT INTO schema_migrations (name, checksum) VALUES (\(migration.name), \(migration.checksum))", logger)
                    }
                    logger.info("applied migration", metadata: ["file": "\(migration.name)"])
                    done.append(migration.name)
                }
                try await connection.run("SELECT pg_advisory_unlock(\(Self.lockKey))", logger)
                return done
            } catch {
                try? await connection.run("SELECT pg_advisory_unlock(\(Self.lockKey))", logger)
                if let transactionError = error as? PostgresTransactionError, let cause = transactionError.closureError {
                    throw StoreError.schemaOutdated("a migration failed: \(String(reflecting: cause))")
                }
                throw error
            }
        }
    }

    /// Whether the database has every file applied, unedited.
    public func status(_ database: RegistryDatabase) async throws -> Status {
        try await database.withConnection { connection in
            let exists =
                try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: database.logger)
                .decode(Bool.self).first { _ in true } ?? false
            guard exists else { return .pending(migrations.map(\.name)) }
            let applied = try await appliedChecksums(connection, database.logger)
            try verify(applied)
            let pending = migrations.map(\.name).filter { applied[$0] == nil }
            return pending.isEmpty ? .current : .pending(pending)
        }
    }

    private func appliedChecksums(_ connection: PostgresConnection, _ logger: Logger) async throws -> [String: String] {
        var applied: [String: String] = [:]
        for try await (name, checksum) in try await connection.query("SELECT name, checksum FROM schema_migrations", logger: logger)
            .decode((String, String).self)
        {
            applied[name] = checksum
        }
        return applied
    }

    private func verify(_ applied: [String: String]) throws {
        for migration in migrations {
            if let recorded = applied[migration.name], recorded != migration.checksum {
                throw StoreError.schemaOutdated(
                    "Schema/\(migration.name) was edited after it was applied (checksum \(recorded.prefix(12))… is now \(migration.checksum.prefix(12))…); "
                        + "restore the file and put the change in a new numbered migration")
            }
        }
        let known = Set(migrations.map(\.name))
        if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw StoreError.schemaOutdated("the database has migration \(unknown) applied, which this build does not know: run a newer registry")
        }
    }
}
