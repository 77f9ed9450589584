import Foundation
import RegistryStore

/// pg_dump and pg_restore for the configured database.
///
/// The newest Debian server version's tools come first (a dump must be made by a pg_dump at
/// least as new as the server), then whatever `PATH` holds. The password travels in the
/// environment, never on a command line that `ps` shows.
struct PostgresClientTools {
    let url: DatabaseURL

    /// The program's full path, or a clear error naming the package to install.
    static func locate(_ program: String) throws -> String {
        let debian = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/\(program)" }
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(program)" }
        guard let found = (debian + onPath).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw CommandFailure("\(program) is needed: apt-get install postgresql-client")
        }
        return found
    }

    /// The connection as libpq reads it: the address without the password, which goes in PGPASSWORD.
    var connection: (address: String, environment: [String: String]) {
        let address =
            "postgresql://\(url.username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? url.username)@\(url.host):\(url.port)/"
            + (url.database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? url.database)
        var environment = ["PGSSLMODE": url.requireTLS ? "require" : "prefer"]
        environment["PGPASSWORD"] = url.password
        return (address, environment)
    }

    /// Runs `program` with `arguments` and the connection; a failure throws with what it printed.
    func run(_ program: String, _ arguments: [String]) async throws {
        let path = try Self.locate(program)
        do {
            _ = try await runOffThePool(path, arguments + ["--dbname=\(connection.address)"], environment: connection.environment)
        } catch {
            throw CommandFailure("\(program) failed: \(error)")
        }
    }
}
