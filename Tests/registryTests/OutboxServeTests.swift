import Foundation
import RegistryCore
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
