import Foundation

/// PostgreSQL's own client programs (pg_dump, pg_restore, psql) for a database of the registry's.
///
/// The newest Debian server version's programs come first (a dump must be made by a pg_dump at
/// least as new as the server), then whatever `PATH` holds. The password travels in the
/// environment, never on a command line that `ps` shows.
public enum PostgresPrograms {
    /// The program's full path, nil when it is not installed.
    public static func locate(_ program: String) -> String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let debian = versions.compactMap { Int($0) }.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/\(program)" }
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(program)" }
        return (debian + onPath).first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// The connection as libpq reads it: the address without the password, which goes in PGPASSWORD.
    public static func connection(_ url: DatabaseURL) -> (address: String, environment: [String: String]) {
        let address =
            "postgresql://\(url.username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? url.username)@\(url.host):\(url.port)/"
            + (url.database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? url.database)
        var environment = ["PGSSLMODE": url.requireTLS ? "require" : "prefer"]
        environment["PGPASSWORD"] = url.password
        return (address, environment)
    }
}
