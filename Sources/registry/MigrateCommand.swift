import ArgumentParser
import RegistryStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending Schema/ migrations.")

    @Flag(help: "Only report whether migrations are pending; exit 1 if any are.")
    var check = false

    func run() async throws {
        let context = try CommandContext()
        let migrator = try context.migrator()
        try await context.withDatabase { database in
            if check {
                switch try await migrator.status(database) {
                case .current: say("schema is current (\(migrator.migrations.count) migrations)")
                case .pending(let names):
                    say("pending migrations: \(names.joined(separator: ", "))")
                    throw ExitCode(1)
                }
                return
            }
            let applied = try await migrator.migrate(database)
            say(applied.isEmpty ? "schema is current; nothing to apply" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}
