import ArgumentParser
import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Fill an empty registry with deterministic synthetic demo data.")

    @Option(help: "How many treatment courses to generate.")
    var courses = 300

    func validate() throws {
        guard (1...100_000).contains(courses) else { throw ValidationError("--courses must be from 1 to 100000") }
    }

    func run() async throws {
        let context = try CommandContext()
        try await context.withDatabase { database in
            try await Self.seed(database, courses: courses, context: context)
        }
    }

    /// Refuses a registry that already holds data: demo records must never mix with real ones.
    static func seed(_ database: RegistryDatabase, courses: Int, context: CommandContext) async throws {
        let repositories = Repositories(database: database, rules: context.config.clinical, followUp: context.config.followUp)
        let existing = try await repositories.accounts.sites()
        guard existing.isEmpty else {
            throw CommandFailure("the registry already holds data (\(existing.count) sites); seed only fills an empty registry")
        }
        var bar = ProgressBar(label: "seeding demo data")
        try await DemoData(courses: courses, today: context.config.today()).load(
            into: repositories, auth: context.config.auth
        ) {
            bar.update($0, $1)
        }
    }

    static func isEmpty(_ database: RegistryDatabase) async throws -> Bool {
        try await AccountRepository(database: database).sites().isEmpty
    }
}
