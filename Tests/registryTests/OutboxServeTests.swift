import Foundation
import RegistryCore
import RegistryDevTools
import RegistryStore
import RegistryTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `registry serve` with the outbox on and the fake LINE API: it sends one invitation to each
/// patient due today who consented (none to one who did not), and a patient answering from a
/// message's link is on the course's record.
@Suite struct OutboxServeTests {
    /// A course whose only session was two weeks before `today`, so its 2-week follow-up is due
    /// today; with LINE consent when `consented`.
    static func dueCourse(
        _ mrn: String, consented: Bool, today: CalendarDate, fixture: Fixture, repositories: Repositories, config: RegistryConfig
    ) async throws -> CourseRecord {
        let course = try await fixture.courseWithOneSession(
            mrn: mrn, startedOn: today.adding(days: -30), sessionOn: today.adding(days: -14), in: repositories)
        if consented {
            let contact = try ContactInput(
                channels: ["line"], lineUserId: "U" + String(repeating: "c" + mrn.suffix(1), count: 16),
                consentedOn: today.adding(days: -30).description,
                consentHow: "written"
            ).validated(ValidationContext(config: config, now: Date()), phone: nil)
            try await repositories.outbox.setContact(contact, patientId: course.patientId, scope: nil, by: Fixture.actor)
        }
        return course
    }

    @Test func servingSendsTheInvitationsDueToThoseWhoConsentedAndAnAnswerFromTheLinkIsRecorded() async throws {
        try await TestDatabase.withFresh { database in
            let config = try TestDatabase.config()
            let today = config.today()
            let repositories = try Repositories.testing(database)
            let fixture = try await Fixture.make(database)
            var consented: Set<UUID> = []
            for (mrn, agreed) in [("MRN-SERVE-1", true), ("MRN-SERVE-2", true), ("MRN-SERVE-3", false)] {
                let course = try await Self.dueCourse(
                    mrn, consented: agreed, today: today, fixture: fixture, repositories: repositories, config: config)
                if agreed { consented.insert(course.id) }
            }
            let due = try await repositories.followUps.due(scope: nil, today: today)
            try #require(due.count == 3, "three courses due today")
            let expected = consented.count

            let gateway = try await FakeGateway()
            let port = 24_000 + Int.random(in: 0..<4000)
            let base = "http://127.0.0.1:\(port)"
            let url = database.url
            let secret = url.password.map { ":" + $0 } ?? ""
            let server = try ServerProcess(
                CommandLineTests.binary.path, ["serve", "--host", "127.0.0.1", "--port", String(port)], in: TestDatabase.checkout,
                environment: [
                    "DATABASE_URL": "postgres://\(url.username)\(secret)@\(url.host):\(url.port)/\(url.database)", "LOG_LEVEL": "error",
                    "REGISTRY_OUTBOX_ENABLED": "true", "REGISTRY_OUTBOX_INTERVAL_SECONDS": "0.2", "REGISTRY_OUTBOX_QUIET_FROM_HOUR": "0",
                    "REGISTRY_OUTBOX_QUIET_UNTIL_HOUR": "0", "REGISTRY_OUTBOX_LINE_BASE_URL": gateway.baseUrl,
                    "REGISTRY_OUTBOX_LINE_CHANNEL_ACCESS_TOKEN": FakeGateway.channelToken, "REGISTRY_SERVER_PUBLIC_BASE_URL": base,
                ])
            var delivered: [FakeGateway.Received] = []
            let started = ContinuousClock.now
            while delivered.count < expected, ContinuousClock.now - started < .seconds(60) {
                try await Task.sleep(for: .milliseconds(200))
                delivered = try await gateway.delivered()
            }
            try await Task.sleep(for: .seconds(1))
            delivered = try await gateway.delivered()
            #expect(delivered.count == expected, "one invitation per consented patient due today: \(server.output.suffix(2000))")
            #expect(Set(delivered.compactMap(\.retryKey)).count == delivered.count)

            // The patient opens the message's link on their phone and answers.
            let push = try #require(delivered.first?.push)
            let link = try #require(push.text.split(separator: "\n").first { $0.hasPrefix(base + "/f/") && !$0.hasSuffix("/stop") })
            let (page, opened) = try await URLSession.shared.data(from: URL(string: String(link))!)
            #expect((opened as? HTTPURLResponse)?.statusCode == 200 && String(decoding: page, as: UTF8.self).contains("nrs"))
            var answer = URLRequest(url: URL(string: String(link))!)
            answer.httpMethod = "POST"
            answer.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            answer.httpBody = Data("nrs=2&pgic=6&painCameBack=no".utf8)
            let (_, answered) = try await URLSession.shared.data(for: answer)
            #expect((answered as? HTTPURLResponse)?.statusCode == 200)
            let messageId = try #require(delivered.first?.retryKey.flatMap(UUID.init(uuidString:)))
            let found = try await database.withConnection { connection in
                try await connection.query("SELECT course_id FROM follow_up_messages WHERE id = \(messageId)", logger: TestDatabase.logger)
                    .decode(UUID.self).first { _ in true }
            }
            let course = try #require(found)
            #expect(consented.contains(course), "only a consented patient is messaged")
            let read = try await repositories.courses.overview(course, scope: nil, followUp: config.followUp, today: today)
            let overview = try #require(read)
            #expect(overview.timeline.painScores.contains { $0.source == .patient && $0.recordedOn == today && $0.nrs == 2 })
            #expect(overview.messages.map(\.state) == [.sent])

            let drain = await server.terminate(within: .seconds(15))
            #expect(drain.map { $0 < 10 } == true, "SIGTERM ends the server with its outbox: \(server.output.suffix(2000))")
            await gateway.stop()
        }
    }
}

/// The outbox when PostgreSQL goes away mid-send: LINE accepted the invitation but its answer
/// came back while the database was down. Either the sender's record of it waits for the
/// database, or the message is sent again under the same retry key once the lease has run out
/// (LINE answers 409). Either way it is recorded as sent and the patient gets it once.
@Suite struct OutboxRestartTests {
    @Test func aRestartOfPostgreSQLMidSendLosesNothingAndSendsNothingTwice() async throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "registry-outbox-\(UUID().uuidString.prefix(8))")
        // Below Linux's ephemeral range, apart from the load test's ports.
        let port = 29_000 + Int(getpid() % 400) * 2
        let cluster = LocalCluster(root: root, port: port)
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: root)
        }
        let url = try cluster.start(database: "registry")
        try await DatabaseAdmin.createIfMissing(url, logger: TestDatabase.logger)
        let config = try TestDatabase.config()
        let today = config.today()
        let course = try await RegistryDatabase.withRunning(url: url, poolSize: 2, logger: TestDatabase.logger) { database in
            try await Migrator(directory: TestDatabase.schema).migrate(database)
            let fixture = try await Fixture.make(database)
            return try await OutboxServeTests.dueCourse(
                "MRN-RESTART-1", consented: true, today: today, fixture: fixture, repositories: try Repositories.testing(database), config: config)
        }

        let gateway = try await FakeGateway()
        try await gateway.hold(next: 1, seconds: 3)
        let secret = url.password.map { ":" + $0 } ?? ""
        let server = try ServerProcess(
            CommandLineTests.binary.path, ["serve", "--host", "127.0.0.1", "--port", String(port + 1)], in: TestDatabase.checkout,
            environment: [
                "DATABASE_URL": "postgres://\(url.username)\(secret)@\(url.host):\(url.port)/\(url.database)", "LOG_LEVEL": "error",
                "REGISTRY_OUTBOX_ENABLED": "true", "REGISTRY_OUTBOX_INTERVAL_SECONDS": "0.2", "REGISTRY_OUTBOX_LEASE_SECONDS": "2",
                "REGISTRY_OUTBOX_QUIET_FROM_HOUR": "0", "REGISTRY_OUTBOX_QUIET_UNTIL_HOUR": "0", "REGISTRY_OUTBOX_LINE_BASE_URL": gateway.baseUrl,
                "REGISTRY_OUTBOX_LINE_CHANNEL_ACCESS_TOKEN": FakeGateway.channelToken,
                "REGISTRY_SERVER_PUBLIC_BASE_URL": "http://127.0.0.1:\(port + 1)",
            ])
        // The push reaches LINE; while its answer is held, PostgreSQL stops, and stays down past it.
        let started = ContinuousClock.now
        while try await gateway.received().isEmpty, ContinuousClock.now - started < .seconds(60) { try await Task.sleep(for: .milliseconds(50)) }
        try #require(try await gateway.received().count == 1, "the invitation was pushed: \(server.output.suffix(2000))")
        try cluster.stop()
        try await Task.sleep(for: .seconds(4))
        _ = try cluster.start(database: "registry")

        let state = try await RegistryDatabase.withRunning(url: url, poolSize: 2, logger: TestDatabase.logger) { database in
            var state: (String, Int16)?
            let waiting = ContinuousClock.now
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                state = try await database.withConnection { connection in
                    try await connection.query(
                        "SELECT state, attempts FROM follow_up_messages WHERE course_id = \(course.id)", logger: TestDatabase.logger
                    ).decode((String, Int16).self).first { _ in true }
                }
            } while state?.0 != "sent" && ContinuousClock.now - waiting < .seconds(30)
            return state
        }
        let received = try await gateway.received()
        #expect(state?.0 == "sent", "recorded as sent: \(String(describing: state)) \(server.output.suffix(2000))")
        #expect(received.filter { $0.answered == 200 }.count == 1, "delivered once")
        #expect(Set(received.map(\.answered)).isSubset(of: [200, 409]) && Set(received.map(\.retryKey)).count == 1, "any retry under the same key")
        #expect(Int(state?.1 ?? 0) == received.count, "one attempt per push")
        let drain = await server.terminate(within: .seconds(15))
        #expect(drain.map { $0 < 10 } == true)
        await gateway.stop()
    }
}
