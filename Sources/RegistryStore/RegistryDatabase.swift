import Logging
import PostgresNIO

/// The registry's connection pool and its one way of running a transaction.
///
/// `PostgresClient` is a `Service`: whoever owns this value runs `client.run()` (the app does so
/// in its `ServiceGroup`, the CLI in a task group) for as long as queries are made.
public struct RegistryDatabase: Sendable {
    public let client: PostgresClient
    public let url: DatabaseURL
    public let logger: Logger
    /// Told how long each transaction or read waited for a pooled connection.
    public var onLeaseWait: @Sendable (Duration) -> Void = { _ in }

    public init(url: DatabaseURL, poolSize: Int = 10, statementTimeoutMs: Int = 30000, logger: Logger) {
        self.url = url
        self.logger = logger
        self.client = PostgresClient(
            configuration: url.clientConfiguration(poolSize: poolSize, statementTimeoutMs: statementTimeoutMs),
            backgroundLogger: logger)
    }

    /// Runs the pool for the duration of `body`: for commands that are not a long-running service.
    @discardableResult
    public static func withRunning<T: Sendable>(
        url: DatabaseURL, poolSize: Int = 4, logger: Logger,
        _ body: (RegistryDatabase) async throws -> T
    ) async throws -> T {
        let database = RegistryDatabase(url: url, poolSize: poolSize, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            // Let the pool start before the first lease, which otherwise logs that run() was not called.
            try await Task.sleep(for: .milliseconds(20))
            return try await body(database)
        }
    }

    /// Runs `body` in one transaction, rolling back on any error.
    ///
    /// Errors thrown by `body` come back unwrapped (not as `PostgresTransactionError`), and
    /// integrity violations become `StoreError`, so callers map them to 404/409/422 and never 500.
    public func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            let asked = ContinuousClock.now
            return try await client.withTransaction(logger: logger) { connection in
                observeLease(since: asked)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            let underlying = error.closureError ?? error.commitError ?? error.beginError ?? error
            throw StoreError.from(underlying) ?? underlying
        }
    }

    /// Runs `body` on a pooled connection, each statement in its own transaction (reads, and
    /// writes that need no transaction of their own); errors map as in `transaction`.
    @discardableResult
    public func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            let asked = ContinuousClock.now
            return try await client.withConnection { connection in
                observeLease(since: asked)
                return try await body(connection)
            }
        } catch {
            throw StoreError.from(error) ?? error
        }
    }

    /// Runs a short `body`, giving up with `StoreError.unavailable` after `seconds`.
    ///
    /// postgres-nio's pool keeps retrying an unreachable server and a connection lease waits
    /// for it without limit; a lease does honour cancellation, so racing it against a timer turns
    /// "database down" into a prompt 503 instead of a hung request. Only for quick lookups: the
    /// body is cancelled, not just abandoned, when time runs out.
    public func answering<T: Sendable>(within seconds: Double = 5, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw StoreError.unavailable }
            return value
        }
    }

    private func observeLease(since asked: ContinuousClock.Instant) {
        onLeaseWait(ContinuousClock.now - asked)
    }

    /// A cheap liveness check for /healthz.
    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }
}

extension PostgresConnection {
    /// Runs `query`, discarding any rows.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        try await self.query(query, logger: logger)
    }
}
