import Foundation
import Hummingbird
import Logging
import RegistryApp
import RegistryDevTools
import RegistryStore
import ServiceLifecycle

/// Runs the registry in this process on a free local port against `url` for `body`, which gets
/// the server's base address; the server stops when `body` returns. Benchmarks read the
/// server's own peak memory this way.
func withBenchServer(context: CommandContext, url: DatabaseURL, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
    var config = context.config
    config.server.host = "127.0.0.1"
    config.server.port = 18_000 + Int(getpid() % 1000)
    var quiet = context.logger
    quiet.logLevel = .error
    let app = try buildApplication(
        config: config, database: RegistryDatabase(url: url, poolSize: 4, statementTimeoutMs: 0, logger: quiet), logger: quiet)
    // Stopped gracefully, as SIGTERM stops `registry serve`: cancelling it would log errors.
    let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        defer { group.cancelAll() }
        let server = "http://127.0.0.1:\(config.server.port)"
        try await waitForServer(server + "/healthz")
        try await body(server)
        // Let the requests a load generator cut off at its deadline finish before stopping.
        try await Task.sleep(for: .seconds(1))
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}

private func waitForServer(_ health: String) async throws {
    for _ in 0..<100 {
        if (try? await runOffThePool("curl", ["-sS", "--fail", "-o", "/dev/null", health])) != nil { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw CommandFailure("the benchmark server did not start")
}

/// Runs a program on a Dispatch thread, so waiting for it does not take one of the few threads
/// that serve the in-process server's requests.
func runOffThePool(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try LocalCluster.run(program, arguments, environment: environment) })
        }
    }
}

/// A scratch database holding the demo data (300 courses), for benchmarks that need clinic-like records.
func withDemoDatabase(_ name: String, context: CommandContext, _ body: (RegistryDatabase, DatabaseURL) async throws -> Void) async throws {
    try await withScratchDatabase(name, context: context) { database, url in
        say("seeding the demo data …")
        try await SeedCommand.seed(database, courses: 300, context: context)
        try await body(database, url)
    }
}

/// The transactions per second pgbench printed.
func pgbenchTPS(_ output: String) throws -> Double {
    guard
        let tps = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") })?.split(separator: " ").dropFirst(2).first
            .flatMap({ Double($0) })
    else { throw CommandFailure("could not read pgbench's output:\n\(output)") }
    return tps
}
