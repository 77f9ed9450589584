import ArgumentParser
import Foundation
import RegistryStore

/// Restores a `registry backup` file into an empty database, all or nothing, then checks the
/// audit chain and the migration state of what it restored.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a `registry backup` file into the configured database, which must be empty.")
    @Argument(help: "The file `registry backup` wrote.") var file: String

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read the backup file \(file)") }
        let context = try CommandContext()
        let url = try context.databaseURL()
        let objects = try await context.withDatabase(url: url) { try await DatabaseAdmin.tableCount($0) }
        guard objects == 0 else {
            throw CommandFailure(
                "the database \(url.database) already holds \(objects) tables; restore only into an empty database (createdb a new one)")
        }
        // One transaction: a file that fails half-way leaves the database as empty as it was.
        try await PostgresClientTools(url: url).run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", file])
        let (report, status) = try await context.withDatabase(url: url) { database in
            (try await AuditRepository(database: database).verifyChain(), try await context.migrator().status(database))
        }
        say("restored \(file) into \(url.database)")
        guard report.intact else { throw CommandFailure("restored, but the audit chain does not hold: \(report.firstBreak ?? "")") }
        say("audit chain intact: \(report.verified) rows; head \(report.head.anchor)")
        if case .pending(let names) = status {
            say("the backup predates \(names.count) migration(s) (\(names.joined(separator: ", "))): run `registry migrate` before serving")
        }
    }
}
