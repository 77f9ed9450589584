import Foundation
import Logging
import PostgresNIO

/// Brings a database to the shape of `Schema/`, in two kinds of file:
///
/// - **Migrations** (`Schema/NNNN_what_it_changes.sql`): tables, columns, constraints, indexes.
///   Forward-only: each is applied once, in name order, in its own transaction, and its name and
///   SHA-256 are recorded; a file whose content changed after it was applied stops everything (a
///   fix is a new file, never an edit).
/// - **Functions** (`Schema/functions/NAME.sql`): one function each, with the triggers that call
///   it, written with `CREATE OR REPLACE`. They are repeatable, as Flyway's repeatable migrations
///   are: applied after the migrations, in name order, whenever their checksum differs from the
///   one recorded, so a function has one definition in the tree and a change to it is an edit of
///   that file. A function removed from the tree is dropped by a migration.
///
/// A migration may open with `-- replaces NAME SHA-256` lines: a baseline that stands for those
/// older migrations. A database that has every one of them applied, unedited, adopts the baseline
/// without running it; a fresh database runs the baseline instead of them.
///
/// An advisory lock serialises concurrent migrators (two replicas starting together).
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let name: String
        public let sql: String
        public var checksum: String { Hashing.sha256Hex(Data(sql.utf8)) }

        /// The older migrations a baseline stands for, with their checksums.
        public var replaces: [String: String] {
            var replaced: [String: String] = [:]
            for line in sql.split(separator: "\n") where line.hasPrefix("-- replaces ") {
                let words = line.split(separator: " ")
                if words.count == 4 { replaced[String(words[2])] = String(words[3]) }
            }
            return replaced
        }
    }

    public enum Status: Sendable, Equatable {
        case current
        case pending([String])
    }

    /// Arbitrary but fixed: the key of the advisory lock every migrator takes.
    static let lockKey = 7_263_001
    public let migrations: [Migration]
    /// The function files, named `functions/NAME.sql`.
    public let functions: [Migration]

    public init(directory: URL) throws {
        migrations = try Self.files(in: directory, named: #/^[0-9]{4}_[a-z0-9_]+\.sql$/#, prefix: "")
        functions = try Self.files(in: directory.appending(path: "functions"), named: #/^[a-z0-9_]+\.sql$/#, prefix: "functions/")
    }

    private static func files(in directory: URL, named pattern: Regex<Substring>, prefix: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError.configuration("cannot read the Schema folder at \(directory.path)")
        }
        return try names.filter { $0.wholeMatch(of: pattern) != nil }.sorted().map { name in
            Migration(name: prefix + name, sql: try String(contentsOf: directory.appending(path: name), encoding: .utf8))
        }
    }

    /// `REGISTRY_SCHEMA` names the folder, else `Schema/` in the working directory.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["REGISTRY_SCHEMA"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: "Schema")
    }

    /// Applies pending migrations, then changed function files; returns their names.
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
                try await connection.run(
                    """
                    CREATE TABLE IF NOT EXISTS schema_functions (
                        name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger)
                var applied = try await recorded("schema_migrations", connection, logger)
                if let baseline = try adoptable(applied) {
                    try await connection.withTransaction(logger: logger) { transaction in
                        try await transaction.run("DELETE FROM schema_migrations WHERE name = ANY(\(Array(baseline.replaces.keys)))", logger)
                        try await transaction.run(
                            "INSERT INTO schema_migrations (name, checksum) VALUES (\(baseline.name), \(baseline.checksum))", logger)
                    }
                    logger.info("adopted baseline", metadata: ["file": "\(baseline.name)", "replaces": "\(baseline.replaces.count)"])
                    applied = try await recorded("schema_migrations", connection, logger)
                }
                try verify(applied)
                var done: [String] = []
                for migration in migrations where applied[migration.name] == nil {
                    try await apply(migration, recordIn: "schema_migrations", connection, logger)
                    done.append(migration.name)
                }
                let current = try await recorded("schema_functions", connection, logger)
                for function in functions where current[function.name] != function.checksum {
                    try await apply(function, recordIn: "schema_functions", connection, logger)
                    done.append(function.name)
                }
                try await connection.run("SELECT pg_advisory_unlock(\(Self.lockKey))", logger)
                return done
            } catch {
                // The lock ends with the connection in any case; unlocking here only frees it sooner.
                try? await connection.run("SELECT pg_advisory_unlock(\(Self.lockKey))", logger)
                if let transactionError = error as? PostgresTransactionError, let cause = transactionError.closureError {
                    throw StoreError.schemaOutdated("a migration failed: \(String(reflecting: cause))")
                }
                throw error
            }
        }
    }

    /// Whether the database has every migration applied, unedited, and every function file as it is.
    public func status(_ database: RegistryDatabase) async throws -> Status {
        try await database.withConnection { connection in
            let exists =
                try await connection.query(
                    "SELECT to_regclass('schema_migrations') IS NOT NULL, to_regclass('schema_functions') IS NOT NULL", logger: database.logger
                ).decode((Bool, Bool).self).first { _ in true } ?? (false, false)
            guard exists.0 else { return .pending((migrations + functions).map(\.name)) }
            var applied = try await recorded("schema_migrations", connection, database.logger)
            if let baseline = try adoptable(applied) {
                for name in baseline.replaces.keys { applied[name] = nil }
                applied[baseline.name] = baseline.checksum
            }
            try verify(applied)
            let current = exists.1 ? try await recorded("schema_functions", connection, database.logger) : [:]
            let pending =
                migrations.filter { applied[$0.name] == nil }.map(\.name)
                + functions.filter { current[$0.name] != $0.checksum }.map(\.name)
            return pending.isEmpty ? .current : .pending(pending)
        }
    }

    private func apply(_ file: Migration, recordIn table: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { transaction in
            for statement in SQLScript.statements(file.sql) {
                try await transaction.run(PostgresQuery(unsafeSQL: statement), logger)
            }
            // `table` is one of the migrator's own two tables, never input.
            try await transaction.run(
                """
                INSERT INTO \(unescaped: table) (name, checksum) VALUES (\(file.name), \(file.checksum))
                ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()
                """, logger)
        }
        // Routine: `registry migrate` and `registry up` say what they applied; a scratch database's are noise.
        logger.debug("applied \(table == "schema_functions" ? "function file" : "migration")", metadata: ["file": "\(file.name)"])
    }

    private func recorded(_ table: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [String: String] {
        var recorded: [String: String] = [:]
        for try await (name, checksum) in try await connection.query("SELECT name, checksum FROM \(unescaped: table)", logger: logger)
            .decode((String, String).self)
        {
            recorded[name] = checksum
        }
        return recorded
    }

    /// The baseline this database can adopt in place of the older migrations it has applied:
    /// nil for a fresh database (which runs the baseline) and for one that has adopted it.
    private func adoptable(_ applied: [String: String]) throws -> Migration? {
        for baseline in migrations where applied[baseline.name] == nil {
            let replaced = baseline.replaces
            let present = replaced.keys.filter { applied[$0] != nil }.sorted()
            guard !present.isEmpty else { continue }
            guard present.count == replaced.count else {
                let missing = replaced.keys.filter { applied[$0] == nil }.sorted()
                throw StoreError.schemaOutdated(
                    "the database lacks \(missing.joined(separator: ", ")) of the migrations \(baseline.name) replaces: "
                        + "migrate it with a registry from before \(baseline.name) first")
            }
            for name in present where applied[name] != replaced[name] {
                throw StoreError.schemaOutdated(
                    "the database applied \(name) with checksum \(applied[name]?.prefix(12) ?? "")…, not the \(replaced[name]?.prefix(12) ?? "")… "
                        + "\(baseline.name) replaces: it was migrated by an edited schema")
            }
            return baseline
        }
        return nil
    }

    private func verify(_ applied: [String: String]) throws {
        for migration in migrations {
            if let recorded = applied[migration.name], recorded != migration.checksum {
                throw StoreError.schemaOutdated(
                    "Schema/\(migration.name) was edited after it was applied (checksum \(recorded.prefix(12))… is now "
                        + "\(migration.checksum.prefix(12))…); "
                        + "restore the file and put the change in a new numbered migration")
            }
        }
        let known = Set(migrations.map(\.name))
        if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw StoreError.schemaOutdated("the database has migration \(unknown) applied, which this build does not know: run a newer registry")
        }
    }
}
