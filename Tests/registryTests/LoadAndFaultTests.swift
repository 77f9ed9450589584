import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import RegistryApp
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

/// Acknowledged writes survive load, retries, a PostgreSQL restart and a second server: eight
/// clients post pain scores with Idempotency-Keys (retrying a failed key, and now and then
/// re-sending an acknowledged one) against `registry serve` processes on a private cluster that
/// is restarted once mid-run. Then every acknowledged write exists exactly once, nothing else was
/// written, no answer was a 500, none took longer than the request bound, and SIGTERM ends each
/// server within the drain bound. The figures are printed (`swift test --filter LoadAndFault`).
@Suite(.serialized) struct LoadAndFaultTests {
    static let clients = 8
    static let seconds = 20.0
    static let restartAfter = 6.0
    /// The server's defaults: answer within 5 s, drain within 10 s of SIGTERM.
    static let requestBound = 5.0
    static let drainBound = 10.0

    /// What the clients saw, shared between them.
    actor Tally {
        var acknowledged: [String: String] = [:]
        var bodies: [String: String] = [:]
        var requests = 0, unavailable = 0, transportErrors = 0, serverErrors = 0, refused = 0, replays = 0, replayMismatches = 0
        var slowest = 0.0
        var statuses: [Int: Int] = [:]
        var withoutRetryAfter = 0
        var acknowledgedAt: [ContinuousClock.Instant] = []

        func sent(_ seconds: Double) {
            requests += 1
            slowest = max(slowest, seconds)
        }
        func record(key: String, body: String, status: Int, id: String?) {
            statuses[status, default: 0] += 1
            bodies[key] = body
            switch status {
            case 200, 201:
                if let known = acknowledged[key] {
                    replays += 1
                    if known != id { replayMismatches += 1 }
                } else {
                    acknowledged[key] = id
                    acknowledgedAt.append(.now)
                }
            case 503: unavailable += 1
            case 500...: serverErrors += 1
            default: refused += 1
            }
        }
        func failedInTransit() { transportErrors += 1 }
        func unavailableWithout(retryAfter missing: Bool) { if missing { withoutRetryAfter += 1 } }
        /// Seconds from `instant` to the first write acknowledged after it.
        func firstAcknowledgement(after instant: ContinuousClock.Instant) -> Double? {
            acknowledgedAt.first { $0 > instant }.map { LoadAndFaultTests.seconds(since: instant) - LoadAndFaultTests.seconds(since: $0) }
        }
        func anyAcknowledged() -> (String, String)? {
            acknowledged.keys.randomElement().map { ($0, bodies[$0] ?? "") }
        }
        func unacknowledged() -> [(String, String)] {
            bodies.filter { acknowledged[$0.key] == nil }.map { ($0.key, $0.value) }
        }
    }

    struct Target: Sendable {
        let ports: [Int]
        let path: String
        let token: String
    }

    /// Posts one pain score; nil when the request failed in transit (the client is then replaced).
    static func post(_ client: inout TestClient, port: Int, target: Target, key: String, body: String, tally: Tally) async -> Int? {
        var headers: HTTPFields = [.authorization: "Bearer \(target.token)", .contentType: "application/json"]
        headers[HTTPField.Name("Idempotency-Key")!] = key
        let started = ContinuousClock.now
        do {
            // TestClient's own read timeout waits for a reply that may never come; this bound does not.
            let response = try await outrace(
                .seconds(12),
                work: { [client, headers] in
                    try await client.post(target.path, headers: headers, body: ByteBuffer(string: body))
                }, fallback: { throw CancellationError() })
            await tally.sent(seconds(since: started))
            let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body ?? ByteBuffer())) as? [String: Any]
            await tally.record(key: key, body: body, status: Int(response.status.code), id: json?["id"] as? String)
            if response.status == .serviceUnavailable { await tally.unavailableWithout(retryAfter: response.headers[.retryAfter] == nil) }
            return Int(response.status.code)
        } catch {
            await tally.sent(seconds(since: started))
            await tally.failedInTransit()
            try? await client.shutdown()
            client = connected(port)
            return nil
        }
    }

    static func connected(_ port: Int) -> TestClient {
        let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(15)))
        client.connect()
        return client
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// One client: new keys, a failed key retried after a pause, and one in ten times an
    /// acknowledged key sent again; the servers taken in turn.
    static func client(_ number: Int, target: Target, until end: ContinuousClock.Instant, tally: Tally) async {
        var port = target.ports[number % target.ports.count]
        var client = connected(port)
        var retry: (String, String)?
        var sent = 0
        while ContinuousClock.now < end {
            let (key, body): (String, String)
            if let pending = retry {
                (key, body) = pending
                try? await Task.sleep(for: .milliseconds(Int.random(in: 50...300)))
            } else if Int.random(in: 0..<10) == 0, let acknowledged = await tally.anyAcknowledged() {
                (key, body) = acknowledged
            } else {
                (key, body) = (UUID().uuidString, #"{"recordedOn":"2026-02-01","timepoint":"follow_up","nrs":\#(Int.random(in: 0...10))}"#)
            }
            let status = await post(&client, port: port, target: target, key: key, body: body, tally: tally)
            retry = status == 200 || status == 201 ? nil : (key, body)
            sent += 1
            if target.ports.count > 1, sent % 25 == 0 {
                try? await client.shutdown()
                port = target.ports[(number + sent / 25) % target.ports.count]
                client = connected(port)
            }
        }
        try? await client.shutdown()
    }

    @Test(arguments: [1, 2])
    func acknowledgedWritesSurviveARestartOfPostgreSQL(servers: Int) async throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "registry-fault-\(UUID().uuidString.prefix(8))")
        // Below Linux's ephemeral range (32768 and up), so no client socket holds these ports.
        let base = 21_000 + Int(getpid() % 400) * 4 + servers * 2
        let cluster = LocalCluster(root: root, port: base)
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: root)
        }
        let url = try cluster.start(database: "registry")
        try await DatabaseAdmin.createIfMissing(url, logger: TestDatabase.logger)
        let target = try await RegistryDatabase.withRunning(url: url, poolSize: 2, logger: TestDatabase.logger) { database in
            try await Migrator(directory: TestDatabase.schema).migrate(database)
            let fixture = try await Fixture.make(database)
            let token = try await AccountRepository(database: database).issueToken(username: "dr.test", label: "load", days: 1, actor: Fixture.actor)
                .token
            return Target(ports: (0..<servers).map { base + 1000 + $0 }, path: "/api/v1/courses/\(fixture.courseId)/pain-scores", token: token)
        }
        let secret = url.password.map { ":" + $0 } ?? ""
        let environment = ["DATABASE_URL": "postgres://\(url.username)\(secret)@\(url.host):\(url.port)/\(url.database)", "LOG_LEVEL": "error"]
        let processes = try target.ports.map { port in
            try ServerProcess(
                CommandLineTests.binary.path, ["serve", "--host", "127.0.0.1", "--port", String(port)], in: TestDatabase.checkout,
                environment: environment)
        }
        for (process, port) in zip(processes, target.ports) { try await Self.waitUntilServing(port, process) }

        let tally = Tally()
        let start = ContinuousClock.now
        let end = start + .seconds(Self.seconds)
        var restart = (down: 0.0, total: 0.0, back: ContinuousClock.now)
        await withTaskGroup(of: Void.self) { group in
            for number in 0..<Self.clients {
                group.addTask { await Self.client(number, target: target, until: end, tally: tally) }
            }
            try? await Task.sleep(for: .seconds(Self.restartAfter))
            restart = await Self.aside {
                let began = ContinuousClock.now
                try? cluster.stop()
                let down = Self.seconds(since: began)
                _ = try? cluster.start(database: "registry")
                return (down, Self.seconds(since: began), ContinuousClock.now)
            }
            await group.waitForAll()
        }
        // Keys still unacknowledged at the deadline are retried until they are (the database is back).
        let leftover = await tally.unacknowledged()
        var client = Self.connected(target.ports[0])
        for (key, body) in leftover {
            for _ in 0..<40 {
                let status = await Self.post(&client, port: target.ports[0], target: target, key: key, body: body, tally: tally)
                if status == 200 || status == 201 { break }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        // The same key sent to every server at once: one write.
        var concurrentKeys: [String] = []
        if servers > 1 {
            for _ in 0..<20 {
                let key = UUID().uuidString
                concurrentKeys.append(key)
                await withTaskGroup(of: Void.self) { group in
                    for port in target.ports {
                        group.addTask {
                            var own = Self.connected(port)
                            _ = await Self.post(
                                &own, port: port, target: target, key: key, body: #"{"recordedOn":"2026-02-02","timepoint":"follow_up","nrs":4}"#,
                                tally: tally)
                            try? await own.shutdown()
                        }
                    }
                }
            }
        }
        try? await client.shutdown()

        var drains: [Double?] = []
        for process in processes { drains.append(await process.terminate(within: .seconds(Self.drainBound + 5))) }

        let acknowledged = await tally.acknowledged
        let (rows, audited, keys, chain) = try await RegistryDatabase.withRunning(url: url, poolSize: 2, logger: TestDatabase.logger) { database in
            try await database.withConnection { connection in
                func count(_ sql: String) async throws -> Int {
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self).first { _ in true } ?? -1
                }
                return (
                    try await count("SELECT count(*)::int FROM pain_scores"),
                    try await count("SELECT count(*)::int FROM audit_log WHERE record_table = 'pain_scores'"),
                    try await count("SELECT count(*)::int FROM idempotency_keys WHERE status = 1"),
                    try await AuditRepository(database: database).verifyChain()
                )
            }
        }
        let ids = Set(acknowledged.values)
        let recovered = await tally.firstAcknowledgement(after: restart.back) ?? .infinity
        let withoutRetryAfter = await tally.withoutRetryAfter
        let figures = await """
        load and fault, \(servers) server(s), \(Self.clients) clients, \(Int(Self.seconds)) s, PostgreSQL restarted at \(Int(Self.restartAfter)) s \
        (down \(String(format: "%.1f", restart.down)) s, back after \(String(format: "%.1f", restart.total)) s, \
        next write acknowledged \(String(format: "%.2f", recovered)) s after it was back):
          requests \(tally.requests), acknowledged writes \(acknowledged.count), replays of acknowledged keys \(tally.replays) \
        (\(tally.replayMismatches) with another id), 503 answers \(tally.unavailable), failed in transit \(tally.transportErrors), \
        (\(withoutRetryAfter) without Retry-After), 500s \(tally.serverErrors), other refusals \(tally.refused), statuses \(tally.statuses.sorted { $0.key < $1.key })
          slowest request \(String(format: "%.2f", tally.slowest)) s (bound \(Self.requestBound) s); rows \(rows), audit rows \(audited), \
        completed keys \(keys); same key at \(servers) servers at once: \(concurrentKeys.count) keys
          SIGTERM to exit: \(drains.map { $0.map { String(format: "%.2f s", $0) } ?? "still running" }) (bound \(Self.drainBound) s); \
        audit chain \(chain.intact ? "intact, \(chain.verified) rows" : "broken: \(chain.firstBreak ?? "")")
        """
        print(figures)
        for (process, drain) in zip(processes, drains) where drain.map({ $0 >= Self.drainBound }) ?? true {
            print("a server's log, slow to stop:\n" + String(process.output.suffix(4000)))
        }
        let unacknowledged = await tally.unacknowledged().count, serverErrors = await tally.serverErrors
        let mismatches = await tally.replayMismatches, refused = await tally.refused, slowest = await tally.slowest
        #expect(unacknowledged == 0, "every key was acknowledged in the end")
        #expect(ids.count == acknowledged.count, "one record per key")
        #expect(rows == acknowledged.count, "every acknowledged write exists once and nothing else was written")
        #expect(audited == rows && keys == rows)
        #expect(serverErrors == 0 && mismatches == 0 && refused == 0)
        #expect(slowest < Self.requestBound + 1.5, "no request outlived the bound")
        #expect(drains.allSatisfy { ($0 ?? .infinity) < Self.drainBound + 1 }, "SIGTERM ends the server within the drain bound")
        #expect(chain.intact)
        #expect(recovered < 5, "the servers recover by themselves within 5 s of the database returning")
        #expect(withoutRetryAfter == 0)
        #expect(acknowledged.count > 100, "the load ran")
    }

    static func waitUntilServing(_ port: Int, _ process: ServerProcess) async throws {
        for _ in 0..<300 {
            let client = connected(port)
            let answer = try? await client.get("/healthz")
            try? await client.shutdown()
            if answer?.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the server on port \(port) did not start: \(process.output)")
        throw CancellationError()
    }

    /// Runs blocking work (pg_ctl) on a Dispatch thread, off the threads the clients need.
    static func aside<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
