import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read the audit trail or verify that it was not altered.",
        subcommands: [AuditListCommand.self, AuditVerifyCommand.self], defaultSubcommand: AuditListCommand.self)
}

struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Read the audit trail, newest first, as JSON lines.")
    @Option(help: "Only entries about this record (UUID).") var record: String?
    @Option(help: "Only entries by this username.") var user: String?
    @Option(help: "From this date or instant (inclusive).") var from: String?
    @Option(help: "Up to this date or instant (exclusive).") var to: String?
    @Option(help: "At most this many entries.") var limit = "100"

    func run() async throws {
        let query: AuditQuery
        do {
            query = try AuditQuery.parse(recordId: record, username: user, from: from, to: to, before: nil, limit: limit)
        } catch { throw error.asOptionErrors(["recordId": "record"]) }
        let context = try CommandContext()
        let entries = try await context.withDatabase { database in try await AuditRepository(database: database).entries(query, identities: true) }
        for entry in entries {
            say(String(decoding: try JSONSerialization.data(withJSONObject: entry.json, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}

/// Walks the hash chain of the audit trail; exits 1 naming the first row that does not hold.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that no audit row was changed, removed or inserted since it was written.",
        discussion: """
            Prints the chain's head (seq and hash). Keep that line somewhere outside the database \
            (a ticket, a signed e-mail): --anchor then proves the chain still holds that row, \
            which a rewrite of the whole chain by a database superuser cannot fake.
            """)
    @Option(help: "A head printed earlier, as SEQ:HASH; the chain must still hold that row with that hash.") var anchor: String?

    func run() async throws {
        let pinned = try anchor.map(Self.parseAnchor)
        let context = try CommandContext()
        let report = try await context.withDatabase { database in
            let repository = AuditRepository(database: database)
            var report = try await repository.verifyChain()
            if report.intact, let pinned, try await repository.chainHash(at: pinned.seq) != pinned.hash {
                report.firstBreak = "audit row with seq \(pinned.seq) no longer has the anchored hash: the chain was rewritten"
            }
            return report
        }
        if let problem = report.firstBreak {
            throw CommandFailure("audit chain broken after \(report.verified) good rows: \(problem)")
        }
        say("audit chain intact: \(report.verified) rows; head \(report.head.anchor)")
    }

    static func parseAnchor(_ text: String) throws -> (seq: Int64, hash: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let seq = Int64(parts[0]), seq > 0, parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
            throw ValidationError("--anchor must be SEQ:HASH as printed by `registry audit verify` (a row number, a colon, 64 hex digits)")
        }
        return (seq, parts[1].lowercased())
    }
}
