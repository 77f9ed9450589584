import ArgumentParser
import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore

/// One command from a fresh checkout to a running registry with demo data.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a private PostgreSQL if DATABASE_URL is unset, migrate, seed an empty registry, and serve.")

    @Option(help: "Address to listen on (overrides server.host).")
    var host: String?

    @Option(help: "Port to listen on (overrides server.port).")
    var port: Int?

    func run() async throws {
        let context = try CommandContext()
        let url: DatabaseURL
        if context.config.database.url.isEmpty {
            do {
                url = try LocalCluster.default().start { say($0) }
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
            try await DatabaseAdmin.createIfMissing(url, logger: context.logger)
            say("private PostgreSQL: \(url)  (the password is in the data folder)")
        } else {
            url = try context.databaseURL()
        }
        try await context.withDatabase(url: url) { database in
            let applied = try await context.migrator().migrate(database)
            if !applied.isEmpty { say("applied migrations: \(applied.joined(separator: ", "))") }
            if try await SeedCommand.isEmpty(database) {
                try await SeedCommand.seed(database, courses: 300, context: context)
            }
        }
        say("demo logins (demo data only):")
        for login in DemoData.logins {
            say("  \(login.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(login.username) / \(login.password)")
        }
        say("sign in at /login, or create an API token: swift run registry user token <username>")
        try await ServeCommand.serve(context: context, url: url, host: host, port: port)
    }
}

/// Stops the private cluster that `up` started (the data stays).
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop the private PostgreSQL cluster of `registry up`.")

    func run() async throws {
        let cluster = LocalCluster.default()
        guard cluster.exists else { throw CommandFailure("there is no private cluster here (it is created by `registry up`)") }
        do { try cluster.stop() } catch let error as StoreError { throw CommandFailure(error.description) }
        say("stopped the private PostgreSQL cluster; its data is kept")
    }
}
