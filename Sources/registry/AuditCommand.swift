import ArgumentParser
import Foundation
import RegistryCore
import RegistryStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Read the audit trail, newest first, as JSON lines.")
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
        let entries = try await context.withDatabase { database in try await AuditRepository(database: database).entries(query) }
        for entry in entries {
            say(String(decoding: try JSONSerialization.data(withJSONObject: entry.json, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}
