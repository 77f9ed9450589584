import ArgumentParser
import Foundation
import RegistryStore

/// A whole-database backup in pg_dump's custom format: every record, the audit trail with its
/// chain head, and `schema_migrations`, so a restore knows which migrations it holds.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up the registry into one file (pg_dump custom format, with the migration state).")
    @Option(help: "The file to write; refused if it exists.") var out: String

    func run() async throws {
        let file = URL(fileURLWithPath: out)
        guard !FileManager.default.fileExists(atPath: file.path) else { throw ValidationError("--out \(out) exists; name a new file") }
        guard FileManager.default.fileExists(atPath: file.deletingLastPathComponent().path) else {
            throw ValidationError("--out: the folder \(file.deletingLastPathComponent().path) does not exist")
        }
        let context = try CommandContext()
        let url = try context.databaseURL()
        // The chain head read just before the dump is in it (the dump's snapshot is later), so it
        // can serve as an anchor for `registry audit verify` after a restore.
        let report = try await context.withDatabase(url: url) { try await AuditRepository(database: $0).verifyChain() }
        let partial = file.appendingPathExtension("partial")
        try? FileManager.default.removeItem(at: partial)
        do {
            try await PostgresClientTools(url: url).run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file=\(partial.path)"])
            try FileManager.default.moveItem(at: partial, to: file)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        say("backup written: \(file.path) (\(size / 1024) kB)")
        say(
            report.intact
                ? "audit chain intact at backup: \(report.verified) rows; head \(report.head.anchor)"
                : "warning: the audit chain was already broken when backed up: \(report.firstBreak ?? "")")
    }
}
