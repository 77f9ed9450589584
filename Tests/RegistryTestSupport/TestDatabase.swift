import Foundation
import Logging
import PostgresNIO
import RegistryCore
import RegistryDevTools
import RegistryStore

/// Real PostgreSQL for tests: the server named by `TEST_DATABASE_URL` (CI starts one), else the
/// checkout's private local cluster. The schema is migrated once into a template database and
/// each test gets its own copy, so tests are isolated and may run in parallel.
public enum TestDatabase {
    /// The checkout's root, found from this file's path so tests do not depend on the working directory.
    public static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let schema = checkout.appending(path: "Schema")
    public static let configFile = checkout.appending(path: "Config/registry.json")

    public static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .error
        return logger
    }()

    /// The repository defaults, without environment overrides, so tests see the documented thresholds.
    /// bcrypt's cheapest work factor keeps login tests fast; everything else is the default.
    public static func config() throws -> RegistryConfig {
        try RegistryConfig.load(file: configFile, environment: ["REGISTRY_AUTH_BCRYPT_COST": "4"])
    }

    /// A fresh migrated database for the duration of `body`, dropped afterwards.
    public static func withFresh<T: Sendable>(_ body: (RegistryDatabase) async throws -> T) async throws -> T {
        await openDatabases.enter()
        defer { Task { await openDatabases.leave() } }
        let template = try await Template.shared.url()
        let url = template.with(database: "registry_test_" + UUID().uuidString.prefix(8).lowercased())
        try await copy(template: template.database, to: url)
        do {
            let result = try await RegistryDatabase.withRunning(url: url, poolSize: 4, logger: logger, body)
            try await DatabaseAdmin.drop(url, logger: logger)
            return result
        } catch {
            try? await DatabaseAdmin.drop(url, logger: logger)
            throw error
        }
    }

    /// An empty database (no schema at all) on the tests' server for the duration of `body`, dropped afterwards.
    public static func withEmpty<T: Sendable>(_ body: (DatabaseURL) async throws -> T) async throws -> T {
        await openDatabases.enter()
        defer { Task { await openDatabases.leave() } }
        let url = try await Template.shared.url().with(database: "registry_test_" + UUID().uuidString.prefix(8).lowercased())
        try await DatabaseAdmin.createIfMissing(url, logger: logger)
        do {
            let result = try await body(url)
            try await DatabaseAdmin.drop(url, logger: logger)
            return result
        } catch {
            try? await DatabaseAdmin.drop(url, logger: logger)
            throw error
        }
    }

    /// CREATE DATABASE … TEMPLATE fails while anything else is connected to the template; the
    /// migrating pool may take a moment to let go, so retry briefly.
    private static func copy(template: String, to url: DatabaseURL) async throws {
        var attempt = 0
        while true {
            do {
                try await DatabaseAdmin.createIfMissing(url, template: template, logger: logger)
                return
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The template is built once per test process.
    actor Template {
        static let shared = Template()
        private var built: Task<DatabaseURL, any Error>?

        func url() async throws -> DatabaseURL {
            if let built { return try await built.value }
            let task = Task { try await build() }
            built = task
            return try await task.value
        }

        private func build() async throws -> DatabaseURL {
            let environment = ProcessInfo.processInfo.environment
            let server: DatabaseURL
            if let text = environment["TEST_DATABASE_URL"], !text.isEmpty {
                server = try DatabaseURL(text)
            } else {
                server = try LocalCluster.default(environment: environment, checkout: TestDatabase.checkout.path).start()
            }
            let template = server.with(database: "registry_test_template_\(getpid())")
            try await DatabaseAdmin.dropAll(matching: "registry_test_%", on: server, logger: logger)
            try await DatabaseAdmin.createIfMissing(template, logger: logger)
            try await RegistryDatabase.withRunning(url: template, poolSize: 1, logger: logger) { database in
                try await Migrator(directory: TestDatabase.schema).migrate(database)
            }
            return template
        }
    }
}

/// At most this many test databases at once. Every test starts together and each database
/// brings pools of its own (the test's and the application's), so without a bound a full run
/// exhausted PostgreSQL's max_connections and failed tests at random.
private let openDatabases = Gate(limit: 12)

/// A counting semaphore for async code.
actor Gate {
    private let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func enter() async {
        guard inUse >= limit else {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the place to the longest waiter, if any.
    func leave() {
        if waiting.isEmpty { inUse -= 1 } else { waiting.removeFirst().resume() }
    }
}
