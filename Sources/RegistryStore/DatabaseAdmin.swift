import Logging
import PostgresNIO

/// Creating and dropping whole databases: for first start, tests and benchmarks.
public enum DatabaseAdmin {
    /// Runs `body` against the server's `postgres` maintenance database.
    static func withMaintenance<T: Sendable>(_ url: DatabaseURL, logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await RegistryDatabase.withRunning(url: url.with(database: "postgres"), poolSize: 1, logger: logger) { database in
            try await database.withConnection(body)
        }
    }

    /// Creates `url.database` unless it exists, optionally as a copy of `template`.
    public static func createIfMissing(_ url: DatabaseURL, template: String? = nil, logger: Logger) async throws {
        try await withMaintenance(url, logger: logger) { connection in
            let exists =
                try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(url.database)", logger: logger)
                .decode(Int.self).first { _ in true } != nil
            guard !exists else { return }
            let templateClause = template.map { " TEMPLATE \(quoted($0))" } ?? ""
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted(url.database))\(templateClause)"), logger)
        }
    }

    /// Drops `url.database`. Refuses on any host but this machine, so a mistyped URL cannot
    /// destroy a real registry.
    public static func drop(_ url: DatabaseURL, logger: Logger) async throws {
        guard url.isLocal else {
            throw StoreError.configuration("refusing to drop database \(url.database) on \(url.host): only local databases may be dropped")
        }
        try await withMaintenance(url, logger: logger) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(quoted(url.database)) WITH (FORCE)"), logger)
        }
    }

    /// Drops every database whose name is LIKE `pattern`: leftovers of interrupted test runs.
    public static func dropAll(matching pattern: String, on server: DatabaseURL, logger: Logger) async throws {
        guard server.isLocal else {
            throw StoreError.configuration("refusing to drop databases on \(server.host): only local databases may be dropped")
        }
        try await withMaintenance(server, logger: logger) { connection in
            var names: [String] = []
            for try await name in try await connection.query("SELECT datname FROM pg_database WHERE datname LIKE \(pattern)", logger: logger)
                .decode(String.self)
            {
                names.append(name)
            }
            for name in names {
                try await connection.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(quoted(name)) WITH (FORCE)"), logger)
            }
        }
    }

    /// Tables, views and sequences outside PostgreSQL's own schemas: 0 for an empty database.
    public static func tableCount(_ database: RegistryDatabase) async throws -> Int {
        try await database.withConnection { connection in
            try await connection.query(
                """
                SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
                """, logger: database.logger
            ).decode(Int.self).first { _ in true } ?? 0
        }
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
