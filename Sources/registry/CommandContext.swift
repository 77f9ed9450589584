import ArgumentParser
import Foundation
import Logging
import RegistryCore
import RegistryDevTools
import RegistryStore

/// What every command starts from: the effective configuration and a logger.
struct CommandContext {
    let config: RegistryConfig
    let logger: Logger

    init() throws {
        do {
            config = try RegistryConfig.load(file: RegistryConfig.defaultFile())
        } catch let error as ConfigError {
            throw CommandFailure("configuration: \(error.description)")
        }
        var logger = Logger(label: "registry")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        self.logger = logger
    }

    /// The configured database; without one, the private cluster `registry up` created (started
    /// if stopped); without that either, how to get one.
    func databaseURL() throws -> DatabaseURL {
        guard config.database.url.isEmpty else { return try DatabaseURL(config.database.url) }
        let cluster = LocalCluster.default()
        guard cluster.exists else {
            throw CommandFailure(
                "DATABASE_URL is not set. Set it to postgres://user:password@host:5432/database, "
                    + "or run `swift run registry up`, which starts a private local PostgreSQL.")
        }
        do { return try cluster.start() } catch let error as StoreError { throw CommandFailure(error.description) }
    }

    /// Runs `body` with a pool on the database, after checking it answers: an unreachable server
    /// is a clear error within seconds, not a command that waits forever.
    func withDatabase<T: Sendable>(url: DatabaseURL? = nil, _ body: (RegistryDatabase) async throws -> T) async throws -> T {
        let url = try url ?? databaseURL()
        return try await RegistryDatabase.withRunning(url: url, poolSize: 4, logger: logger) { database in
            do {
                try await database.answering(within: 10) { try await database.ping() }
            } catch {
                throw CommandFailure("cannot reach the database at \(url) within 10 seconds; is PostgreSQL running, and is DATABASE_URL right?")
            }
            return try await body(database)
        }
    }

    func migrator() throws -> Migrator { try Migrator(directory: Migrator.defaultDirectory()) }
}

extension ValidationFailure {
    /// The problems as CLI option errors, `--site must be a UUID`; `options` renames fields whose
    /// option is spelled differently.
    func asOptionErrors(_ options: [String: String] = [:]) -> ValidationError {
        ValidationError(problems.map { "--\(options[$0.field] ?? $0.field) \($0.message)" }.joined(separator: "\n"))
    }
}

/// Prints `done/total` as a bar on one terminal line (stderr, so stdout stays parseable).
struct ProgressBar {
    let label: String
    var lastDrawn = -1

    mutating func update(_ done: Int, _ total: Int) {
        let width = 30
        let filled = total == 0 ? width : done * width / total
        guard filled != lastDrawn || done == total else { return }
        lastDrawn = filled
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)\(done == total ? "\n" : "")".utf8))
    }
}
