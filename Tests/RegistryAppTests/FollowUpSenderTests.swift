import Foundation
import RegistryAnalytics
import RegistryApp
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The outbox against a real PostgreSQL and the fake LINE and SMS gateways of
/// `fake_gateway.py` (a process of its own, spoken to over HTTP), with a clock the tests move:
/// one invitation when the window opens, one reminder when overdue, nothing after an answer, an
/// opt-out or a discharge, nothing in quiet hours, retries until the gateway answers, and one
/// message with two senders or after a sender vanished mid-send.
@Suite(.serialized) struct FollowUpSenderTests {
    /// The course's last session: the 2-week follow-up opens 03-08, is due 03-15, closes 03-29.
    static let sessionOn = CalendarDate(iso: "2026-03-01")!
    static let lineUser = "U" + String(repeating: "ab", count: 16)

    final class TestClock: Sendable {
        let value: Mutex<Date>
        init(_ text: String) { value = Mutex(ISO8601DateFormatter().date(from: text)!) }
        var now: Date { value.withLock { $0 } }
        func set(_ text: String) { value.withLock { $0 = ISO8601DateFormatter().date(from: text)! } }
        func advance(seconds: Double) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    struct Setup {
        let repositories: Repositories
        let config: RegistryConfig
        let gateway: FakeGateway
        let clock: TestClock
        let fixture: Fixture

        func sender() throws -> FollowUpSender {
            try FollowUpSender(outbox: repositories.outbox, config: config, now: { [clock] in clock.now }, logger: TestDatabase.logger)
        }

        /// A patient with a course whose last session was `sessionOn`, consented on `channels`.
        func course(_ mrn: String, channels: [String] = ["line"], phone: String? = nil) async throws -> CourseRecord {
            let course = try await fixture.courseWithOneSession(
                mrn: mrn, startedOn: CalendarDate(iso: "2026-02-01")!, sessionOn: FollowUpSenderTests.sessionOn, phone: phone, in: repositories)
            let contact = try ContactInput(
                channels: channels, lineUserId: channels.contains("line") ? FollowUpSenderTests.lineUser : nil, consentedOn: "2026-02-01",
                consentHow: "written"
            ).validated(ValidationContext(config: config, now: clock.now), phone: phone)
            try await repositories.outbox.setContact(contact, patientId: course.patientId, scope: nil, by: Fixture.actor)
            return course
        }

        func messages(_ course: CourseRecord) async throws -> [OutboxMessage] {
            try await repositories.outbox.messages(courseId: course.id, scope: nil) ?? []
        }

        /// The link's token in a pushed text.
        static func token(in text: String) -> String? {
            text.split(separator: "\n").first { $0.contains("/f/") && !$0.contains("/stop") }.map { String($0.split(separator: "/").last!) }
        }
    }

    static func run(_ body: (Setup) async throws -> Void) async throws {
        try await TestDatabase.withFresh { database in
            let fixture = try await Fixture.make(database)
            let gateway = try await FakeGateway()
            var config = try TestDatabase.config()
            config.server.publicBaseUrl = "https://registry.example.org"
            config.outbox.enabled = true
            config.outbox.line.baseUrl = gateway.baseUrl
            config.outbox.line.channelAccessToken = FakeGateway.channelToken
            config.outbox.sms.url = gateway.baseUrl + "/sms"
            config = try config.validated()
            let repositories = Repositories(
                database: database, rules: config.clinical, followUp: config.followUp, outbox: config.outbox, timeZone: config.clinicTimeZone)
            do {
                try await body(
                    Setup(repositories: repositories, config: config, gateway: gateway, clock: TestClock("2026-03-08T10:00:00Z"), fixture: fixture))
            } catch {
                await gateway.stop()
                throw error
            }
            await gateway.stop()
        }
    }

    @Test func anInvitationWhenTheWindowOpensOneReminderWhenOverdueAndNothingAfterTheAnswer() async throws {
        try await Self.run { setup in
            let course = try await setup.course("MRN-OUT-1")
            let sender = try setup.sender()
            setup.clock.set("2026-03-07T10:00:00Z")
            await sender.pass()
            #expect(try await setup.gateway.received().isEmpty, "the window opens on 03-08")

            setup.clock.set("2026-03-08T10:00:00Z")
            await sender.pass()
            await sender.pass()
            let invitations = try await setup.gateway.delivered()
            try #require(invitations.count == 1, "one invitation, however many passes")
            let push = try #require(invitations[0].push)
            #expect(push.to == Self.lineUser)
            #expect(push.text.contains("Test Clinic") && push.text.contains("https://registry.example.org/f/") && push.text.contains("/stop"))
            #expect(!push.text.contains("G57") && !push.text.contains("Chen"), "the clinic and the link, never a diagnosis or a name")
            #expect(invitations[0].authorization == "Bearer \(FakeGateway.channelToken)")
            let messages = try await setup.messages(course)
            #expect(messages.map(\.state) == [.sent] && messages[0].number == 0 && invitations[0].retryKey == messages[0].id.uuidString.lowercased())
            // The link in the message opens the patient's page with the follow-up waiting.
            let token = try #require(Setup.token(in: push.text))
            let link = try await setup.repositories.followUps.link(token: token, today: CalendarDate(iso: "2026-03-08")!)
            #expect(link?.open?.label == "2 weeks")

            // Overdue from 03-16, and three days after the invitation: one reminder.
            setup.clock.set("2026-03-15T10:00:00Z")
            await sender.pass()
            #expect(try await setup.gateway.delivered().count == 1, "not overdue yet on the due date")
            setup.clock.set("2026-03-16T10:00:00Z")
            await sender.pass()
            await sender.pass()
            let afterReminder = try await setup.gateway.delivered()
            #expect(afterReminder.count == 2 && afterReminder[1].push?.text.contains("Test Clinic") == true)
            #expect(try await setup.messages(course).map(\.number) == [1, 0])

            // The patient answers from the reminder's link: no further reminder.
            let reminder = try #require(afterReminder[1].push)
            let reminderToken = try #require(Setup.token(in: reminder.text))
            let answered = try await setup.repositories.followUps.answer(
                token: reminderToken, PatientAnswer(nrs: 2, pgic: 6, painCameBack: false), today: CalendarDate(iso: "2026-03-17")!)
            #expect(answered == .recorded)
            setup.clock.set("2026-03-25T10:00:00Z")
            await sender.pass()
            #expect(try await setup.gateway.delivered().count == 2)

            // Once the window has closed, the report counts it: invited by LINE, answered after the reminder.
            let report = try await setup.repositories.reports.outcomes(
                rules: setup.config.clinical, filter: ReportFilter(), scope: nil,
                followUp: FollowUpDay(rules: setup.config.followUp, today: CalendarDate(iso: "2026-04-01")!, timeZone: setup.config.clinicTimeZone),
                by: Fixture.actor)
            let twoWeeks = try #require(report.followUp?.milestones.first { $0.key == "2 weeks" })
            #expect(twoWeeks.answered.total == 1 && twoWeeks.invited.successes == 1 && twoWeeks.answeredAfterReminder.successes == 1)
            #expect(twoWeeks.answeredAfterInvitation.successes == 0 && twoWeeks.neverAsked.successes == 0)
            #expect(report.followUp?.channels.map(\.key) == ["line"])
        }
    }

    @Test func aSlowGatewayHoldsUpOnlyItsOwnChannel() async throws {
        try await Self.run { setup in
            let line = try await setup.course("MRN-OUT-SLOW-1")
            let sms = try await setup.course("MRN-OUT-SLOW-2", channels: ["sms"], phone: "0912345678")
            try await setup.gateway.hold(next: 1, seconds: 4, path: "/v2/bot/message/push")
            let sender = try setup.sender()
            let pass = Task { await sender.pass() }
            var smsState: OutboxMessage.State?
            let started = ContinuousClock.now
            repeat {
                try await Task.sleep(for: .milliseconds(100))
                smsState = try await setup.messages(sms).first?.state
            } while smsState != .sent && ContinuousClock.now - started < .seconds(3)
            #expect(smsState == .sent, "the SMS went while LINE's answer was held")
            #expect(try await setup.messages(line).first?.state == .sending)
            await pass.value
            #expect(try await setup.messages(line).first?.state == .sent)
        }
    }

    @Test func quietHoursWaitAndAnOptOutOrADischargeStopsEverything() async throws {
        try await Self.run { setup in
            let optingOut = try await setup.course("MRN-OUT-2")
            let discharged = try await setup.course("MRN-OUT-3", channels: ["sms"], phone: "0912345678")
            let sender = try setup.sender()
            setup.clock.set("2026-03-08T22:30:00Z")
            await sender.pass()
            #expect(try await setup.gateway.received().isEmpty, "quiet from 21:00 to 09:00 on the clinic's clock")
            #expect(try await setup.messages(optingOut).map(\.state) == [.queued])
            setup.clock.set("2026-03-09T09:05:00Z")
            await sender.pass()
            let sent = try await setup.gateway.delivered()
            #expect(sent.count == 2)
            let sms = try #require(sent.first { $0.path == "/sms" })
            let smsBody = try JSONSerialization.jsonObject(with: Data(sms.body.utf8)) as? [String: String]
            #expect(smsBody?["to"] == "0912345678" && smsBody?["text"]?.contains("/f/") == true, "the template filled in, JSON-escaped")

            // The patient opts out from the message's link; the other course's patient is discharged.
            let line = try #require(sent.first { $0.path != "/sms" }?.push)
            let lineToken = try #require(Setup.token(in: line.text))
            #expect(try await setup.repositories.outbox.optOut(token: lineToken) == "Test Clinic")
            _ = try await setup.repositories.courses.addEvent(
                NewCourseEvent(kind: .discharged, occurredOn: CalendarDate(iso: "2026-03-10")!), to: discharged.id, scope: nil, by: Fixture.actor,
                idempotency: nil)
            for day in ["2026-03-16", "2026-03-20", "2026-04-06", "2026-04-12"] {
                setup.clock.set("\(day)T10:00:00Z")
                await sender.pass()
            }
            #expect(try await setup.gateway.delivered().count == 2, "no reminder, no 6-week invitation")
            let left = (try await setup.messages(optingOut).count, try await setup.messages(discharged).count)
            #expect(left == (1, 1))
            let contact = try await setup.repositories.outbox.contact(patientId: optingOut.patientId, scope: nil)
            #expect(contact??.optedOutAt != nil)
        }
    }

    @Test func aGatewayThatFailsThreeTimesDeliversOnceOnTheFourthAttempt() async throws {
        try await Self.run { setup in
            let course = try await setup.course("MRN-OUT-4")
            let sender = try setup.sender()
            try await setup.gateway.fail(next: 3)
            await sender.pass()
            var message = try #require(try await setup.messages(course).first)
            #expect(message.state == .failed && message.attempts == 1 && message.lastError?.contains("HTTP 500") == true)
            await sender.pass()
            #expect(try await setup.gateway.received().count == 1, "the retry waits for its backoff")
            // Backoff 30 s, 60 s, 120 s.
            for wait in [31.0, 61, 121] {
                setup.clock.advance(seconds: wait)
                await sender.pass()
            }
            message = try #require(try await setup.messages(course).first)
            #expect(message.state == .sent && message.attempts == 4 && message.lastError == nil)
            let received = try await setup.gateway.received()
            #expect(received.map(\.answered) == [500, 500, 500, 200] && Set(received.map(\.retryKey)).count == 1)
        }
    }

    @Test func twoSendersAtOnceSendEachMessageOnce() async throws {
        try await Self.run { setup in
            for index in 1...6 { _ = try await setup.course("MRN-TWO-\(index)") }
            let first = try setup.sender(), second = try setup.sender()
            async let a: Void = first.pass()
            async let b: Void = second.pass()
            _ = await (a, b)
            await first.pass()
            await second.pass()
            let delivered = try await setup.gateway.delivered()
            #expect(delivered.count == 6 && Set(delivered.compactMap(\.retryKey)).count == 6)
            #expect(try await setup.gateway.received().count == 6, "no message was even tried twice")
        }
    }

    /// A sender that claimed a message and vanished before recording the answer (a crash, the
    /// database restarting): once its lease is over the message is sent again with the same retry
    /// key, LINE answers that it has it already, and the patient gets it once.
    @Test func aMessageWhoseSenderVanishedMidSendIsDeliveredOnce() async throws {
        try await Self.run { setup in
            let course = try await setup.course("MRN-OUT-5")
            try await setup.repositories.outbox.plan(today: CalendarDate(iso: "2026-03-08")!, now: setup.clock.now, channels: [.line])
            let claimed = try await setup.repositories.outbox.claim(
                now: setup.clock.now, today: CalendarDate(iso: "2026-03-08")!, lease: .seconds(60), limit: 10)
            try #require(claimed.count == 1)
            // The vanished sender got as far as the gateway.
            let sender = try setup.sender()
            var request = URLRequest(url: URL(string: setup.gateway.baseUrl + "/v2/bot/message/push")!)
            request.httpMethod = "POST"
            request.setValue("Bearer \(FakeGateway.channelToken)", forHTTPHeaderField: "Authorization")
            request.setValue(claimed[0].id.uuidString.lowercased(), forHTTPHeaderField: "X-Line-Retry-Key")
            request.httpBody = Data(#"{"to":"\#(Self.lineUser)","messages":[{"type":"text","text":"first try"}]}"#.utf8)
            _ = try await URLSession.shared.data(for: request)

            await sender.pass()
            #expect(try await setup.messages(course).map(\.state) == [.sending], "held while the lease lasts")
            setup.clock.advance(seconds: 61)
            await sender.pass()
            #expect(try await setup.messages(course).map(\.state) == [.sent])
            #expect(try await setup.gateway.received().map(\.answered) == [200, 409])
            #expect(try await setup.gateway.delivered().count == 1)
        }
    }
}
