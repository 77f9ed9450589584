import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import RegistryApp
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

/// Reports read from a real streaming replica (`pg_basebackup -R` of the test's own primary, both
/// started here): while it keeps up, the report is the replica's (a course written to the
/// primary is missing while replay is paused); once it is further behind than allowed, or down,
/// the report is the primary's, said in the header and on the dashboard and counted in /metrics.
@Suite struct ReadSourceTests {
    @Test func reportsReadTheReplicaAndThePrimaryWhenItIsBehindOrDown() async throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "registry-replica-\(UUID().uuidString.prefix(8))")
        // Below Linux's ephemeral range, apart from the other tests' clusters.
        let port = 27_000 + Int(getpid() % 400) * 2
        let primary = LocalCluster(root: root.appending(path: "primary"), port: port)
        var replica: LocalCluster?
        defer {
            try? replica?.stop()
            try? primary.stop()
            try? FileManager.default.removeItem(at: root)
        }
        let url = try await BlockingWork.aside { try primary.start(database: "registry") }
        try await DatabaseAdmin.createIfMissing(url, logger: TestDatabase.logger)
        var config = try TestDatabase.config()
        config.server.requestTimeoutSeconds = 120
        let fixture = try await RegistryDatabase.withRunning(url: url, poolSize: 2, logger: TestDatabase.logger) { database in
            try await Migrator(directory: TestDatabase.schema).migrate(database)
            let fixture = try await Fixture.make(database)
            _ = try await AccountRepository(database: database).addUser(
                username: "mgr.replica", displayName: "Manager", role: .manager, siteCodes: ["TEST"], password: "a long enough password",
                rules: config.auth, actor: Fixture.actor)
            return fixture
        }
        let (standby, replicaURL) = try await BlockingWork.aside { try primary.startReplica(root: root.appending(path: "replica"), port: port + 1) }
        replica = standby
        config.database.replicaUrl = "postgres://\(replicaURL.username):\(replicaURL.password ?? "")@127.0.0.1:\(replicaURL.port)/registry"
        config.database.replicaMaxLagSeconds = 4

        let database = RegistryDatabase(url: url, poolSize: 4, logger: TestDatabase.logger)
        let app = try buildApplication(config: config, database: database, logger: TestDatabase.logger)
        try await app.test(.live) { client in
            let token = try await AccountRepository(database: database).issueToken(
                username: "mgr.test", label: "replica", days: 1, actor: Fixture.actor
            ).token
            func report() async throws -> (source: String, courses: Int) {
                let reply = try await client.execute(
                    uri: "/api/v1/reports/outcomes", method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(reply.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: reply.body)) as? [String: Any]
                return (reply.headers[HTTPField.Name("Registry-Data-Source")!] ?? "", json?["courses"] as? Int ?? -1)
            }
            func replicaSQL(_ sql: String) async throws {
                try await RegistryDatabase.withRunning(url: replicaURL, poolSize: 1, logger: TestDatabase.logger) { replica in
                    try await replica.withConnection { _ = try await $0.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger) }
                }
            }
            // The fixture's course, from the replica once it has replayed it.
            var first = try await report()
            let waiting = ContinuousClock.now
            while !(first.source.hasPrefix("replica") && first.courses == 1), ContinuousClock.now - waiting < .seconds(30) {
                try await Task.sleep(for: .milliseconds(300))
                first = try await report()
            }
            #expect(first.source.hasPrefix("replica; lag=") && first.courses == 1, "\(first)")

            // Replay paused: a course written now is on the primary only, and the report does not have it.
            try await replicaSQL("SELECT pg_wal_replay_pause()")
            let repositories = try Repositories.testing(database)
            _ = try await fixture.courseWithOneSession(
                mrn: "MRN-REPLICA-2", startedOn: CalendarDate(iso: "2026-02-01")!, sessionOn: CalendarDate(iso: "2026-02-08")!,
                in: repositories)
            try await Task.sleep(for: .milliseconds(1100))
            let paused = try await report()
            #expect(paused.source.hasPrefix("replica") && paused.courses == 1, "read from the replica, which has not replayed it: \(paused)")

            // Past the allowed lag: the primary, with the second course, and the reason.
            try await Task.sleep(for: .seconds(5))
            let behind = try await report()
            #expect(behind.source.hasPrefix("primary; fallback=behind; lag=") && behind.courses == 2, "\(behind)")

            // Replaying again: the replica, caught up.
            try await replicaSQL("SELECT pg_wal_replay_resume()")
            var caughtUp = try await report()
            let resuming = ContinuousClock.now
            while !caughtUp.source.hasPrefix("replica"), ContinuousClock.now - resuming < .seconds(30) {
                try await Task.sleep(for: .milliseconds(300))
                caughtUp = try await report()
            }
            #expect(caughtUp.source.hasPrefix("replica") && caughtUp.courses == 2, "\(caughtUp)")

            // Down: the primary, the report still whole, and the page says so in the reader's language.
            try await BlockingWork.aside { try standby.stop() }
            try await Task.sleep(for: .milliseconds(1100))
            let down = try await report()
            #expect(down.source == "primary; fallback=unreachable" && down.courses == 2, "\(down)")
            let login = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username":"mgr.replica","password":"a long enough password"}"#))
            let cookie = String(try #require(login.headers[.setCookie]).split(separator: ";")[0])
            for (language, text) in [("en", "the read replica did not answer"), ("zh-TW", "唯讀副本沒有回應")] {
                let page = try await client.execute(
                    uri: "/reports/outcomes?lang=\(language)", method: .get, headers: [.cookie: cookie, .acceptLanguage: language])
                #expect(page.status == .ok && String(buffer: page.body).contains(text), "\(language)")
            }
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: [:]).body)
            for series in [
                #"registry_analysis_reads_total{source="replica",fallback=""}"#,
                #"registry_analysis_reads_total{source="primary",fallback="behind"}"#,
                #"registry_analysis_reads_total{source="primary",fallback="unreachable"}"#,
            ] {
                #expect(metrics.contains(series), "\(series) in /metrics")
            }
        }
    }
}
