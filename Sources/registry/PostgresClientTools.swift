import Foundation
import RegistryStore

/// pg_dump and pg_restore for the configured database.
struct PostgresClientTools {
    let url: DatabaseURL

    /// The program's full path, or a clear error naming the package to install.
    static func locate(_ program: String) throws -> String {
        guard let found = PostgresPrograms.locate(program) else { throw CommandFailure("\(program) is needed: apt-get install postgresql-client") }
        return found
    }

    /// Runs `program` with `arguments` and the connection; a failure throws with what it printed.
    func run(_ program: String, _ arguments: [String]) async throws {
        let path = try Self.locate(program)
        let connection = PostgresPrograms.connection(url)
        do {
            _ = try await runOffThePool(path, arguments + ["--dbname=\(connection.address)"], environment: connection.environment)
        } catch {
            throw CommandFailure("\(program) failed: \(error)")
        }
    }
}
