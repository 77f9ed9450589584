import ArgumentParser
import Hummingbird
import RegistryApp
import RegistryCore
import RegistryStore
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the web pages and JSON API.")

    @Option(help: "Address to listen on (overrides server.host).")
    var host: String?

    @Option(help: "Port to listen on (overrides server.port).")
    var port: Int?

    func run() async throws {
        let context = try CommandContext()
        try await Self.serve(context: context, url: try context.databaseURL(), host: host, port: port)
    }

    /// Checks the schema first, so a stale database is a clear message instead of failing queries.
    static func serve(context: CommandContext, url: DatabaseURL, host: String?, port: Int?) async throws {
        var config = context.config
        if let host { config.server.host = host }
        if let port { config.server.port = port }
        let migrator = try context.migrator()
        let status = try await context.withDatabase(url: url) { try await migrator.status($0) }
        if case .pending(let names) = status {
            throw CommandFailure(
                "the database schema is not current: \(names.count) migration(s) pending (\(names.joined(separator: ", "))).\n"
                    + "Run: swift run registry migrate")
        }
        let database = RegistryDatabase(
            url: url, poolSize: config.database.poolSize,
            statementTimeoutMs: config.database.statementTimeoutMs, logger: context.logger)
        let app = try buildApplication(config: config, database: database, logger: context.logger)
        say("SCN registry serving on http://\(config.server.host):\(config.server.port)")
        // SIGTERM or SIGINT: stop accepting, let requests in flight finish (each is bounded by
        // server.requestTimeoutSeconds), and after server.shutdownSeconds cancel whatever is left;
        // if something ignores cancellation for a second more, ServiceLifecycle ends the process.
        var lifecycle = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: context.logger)
        lifecycle.maximumGracefulShutdownDuration = .milliseconds(Int(config.server.shutdownSeconds * 1000))
        lifecycle.maximumCancellationDuration = .seconds(1)
        try await ServiceGroup(configuration: lifecycle).run()
    }
}
