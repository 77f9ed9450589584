import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// A message of the outbox as the clinic sees it: never the address or the link's token.
public struct OutboxMessage: Codable, Sendable, Equatable {
    public enum State: String, CodedValue {
        case queued, sending, sent, failed
        case givenUp = "given_up"
        case cancelled
    }

    public let id: UUID
    public let courseId: UUID
    public let dueOn: CalendarDate
    /// 0 is the invitation, 1 and up the reminders.
    public let number: Int
    public let channel: ContactChannel
    public let state: State
    public let attempts: Int
    /// The gateway's reason when the last attempt failed.
    public let lastError: String?
    public let queuedAt: Date
    public let sentAt: Date?
}

/// A message claimed for sending: where it goes and the link it carries, this once.
public struct OutgoingMessage: Sendable {
    public let id: UUID
    public let number: Int
    public let channel: ContactChannel
    /// The LINE user id or the phone number.
    public let address: String
    public let clinic: String
    public let token: String
    public let attempts: Int
}

/// How one attempt went.
public enum DeliveryResult: Sendable, Equatable {
    case sent
    /// The gateway refused or failed; `retry` when trying again may help (a 5xx, a timeout).
    case failed(reason: String, retry: Bool)
}

/// The outbox: which messages the follow-ups call for (planned from the same schedule as the due
/// list), claimed by one sender at a time with `FOR UPDATE SKIP LOCKED`, and settled as sent,
/// failed (retried with backoff) or given up. A message's course, follow-up and number are unique,
/// so two servers planning at once queue it once.
public struct OutboxRepository: PatientRows {
    let database: RegistryDatabase
    let followUps: FollowUpRepository
    let rules: RegistryConfig.Outbox
    let timeZone: TimeZone

    public init(database: RegistryDatabase, followUps: FollowUpRepository, rules: RegistryConfig.Outbox, timeZone: TimeZone) {
        self.database = database
        self.followUps = followUps
        self.rules = rules
        self.timeZone = timeZone
    }

    /// Queues the messages due at every site on `today`, on each patient's first consented
    /// channel among `channels` (those configured) that has an address; returns how many.
    @discardableResult
    public func plan(today: CalendarDate, now: Date, channels: Set<ContactChannel>) async throws -> Int {
        let due = try await followUps.due(scope: nil, today: today)
        guard !due.isEmpty else { return 0 }
        return try await database.withConnection { connection in
            let contacts = try await self.contacts(patientIds: due.map(\.patient.id), on: connection)
            var sent: [UUID: [CalendarDate: [OutboxPlan.Message]]] = [:]
            let rows = try await connection.query(
                """
                SELECT course_id, due_on::text, number, state, sent_at FROM follow_up_messages WHERE course_id = ANY(\(due.map(\.courseId)))
                """, logger: logger)
            for try await (course, dueOn, number, state, sentAt) in rows.decode((UUID, String, Int16, String, Date?).self) {
                let message = OutboxPlan.Message(number: Int(number), sentOn: state == "sent" ? sentAt.map { CalendarDate($0, in: timeZone) } : nil)
                sent[course, default: [:]][try calendarDate(dueOn), default: []].append(message)
            }
            var queued = 0
            for item in due {
                guard let contact = contacts[item.patient.id], contact.optedOutAt == nil,
                    let channel = contact.channels.first(where: { channels.contains($0) && address($0, contact, item.patient) != nil }),
                    let number = OutboxPlan.next(
                        for: item.followUp, messages: sent[item.courseId]?[item.followUp.dueOn] ?? [], rules: rules, today: today)
                else { continue }
                let inserted = try await connection.query(
                    """
                    INSERT INTO follow_up_messages (course_id, due_on, number, channel, next_attempt_at, queued_at)
                    VALUES (\(item.courseId), \(item.followUp.dueOn.description)::date, \(number), \(channel.rawValue), \(now), \(now))
                    ON CONFLICT (course_id, due_on, number) DO NOTHING RETURNING 1
                    """, logger: logger
                ).decode(Int.self).first { _ in true }
                if inserted != nil { queued += 1 }
            }
            return queued
        }
    }

    /// Claims up to `limit` messages whose time has come, for `lease` (after which another sender
    /// may take one whose sender vanished), each with a new link. A message its follow-up no
    /// longer calls for (answered, moved by a new session, ended by discharge) or whose patient
    /// opted out is cancelled instead.
    public func claim(now: Date, today: CalendarDate, lease: Duration, limit: Int) async throws -> [OutgoingMessage] {
        try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT m.id, m.course_id, m.due_on::text, m.number, m.channel, m.attempts, c.patient_id, s.name
                FROM follow_up_messages m JOIN treatment_courses c ON c.id = m.course_id JOIN sites s ON s.id = c.site_id
                WHERE m.state IN ('queued', 'failed', 'sending') AND m.next_attempt_at <= \(now)
                ORDER BY m.next_attempt_at LIMIT \(limit) FOR UPDATE OF m SKIP LOCKED
                """, logger: logger
            ).decode((UUID, UUID, CalendarDate, Int16, ContactChannel, Int16, UUID, String).self).reduce(into: []) { $0.append($1) }
            guard !rows.isEmpty else { return [] }
            let contacts = try await contacts(patientIds: rows.map(\.6), on: connection)
            let patients = try await patients(ids: rows.map(\.6), page: PageRequest(limit: PageRequest.maximumLimit), on: connection).items
            let patientById = Dictionary(uniqueKeysWithValues: patients.map { ($0.record.id, $0.record) })
            var claimed: [OutgoingMessage] = []
            for (id, course, dueOn, number, channel, attempts, patientId, clinic) in rows {
                let open = try await followUps.schedule(course, scope: nil, today: today, on: connection)?.open
                guard open?.dueOn == dueOn, let contact = contacts[patientId], contact.optedOutAt == nil,
                    contact.channels.contains(channel), let patient = patientById[patientId], let address = address(channel, contact, patient)
                else {
                    try await connection.run("UPDATE follow_up_messages SET state = 'cancelled' WHERE id = \(id)", logger)
                    continue
                }
                let link = try await followUps.insertLink(courseId: course, by: .outbox, on: connection)
                try await connection.run(
                    """
                    UPDATE follow_up_messages SET state = 'sending', attempts = attempts + 1, link_id = \(link.id),
                           next_attempt_at = \(now.addingTimeInterval(Double(lease.components.seconds)))
                    WHERE id = \(id)
                    """, logger)
                claimed.append(
                    OutgoingMessage(
                        id: id, number: Int(number), channel: channel, address: address, clinic: clinic, token: link.token,
                        attempts: Int(attempts) + 1))
            }
            return claimed
        }
    }

    /// Records how an attempt went: sent; failed, to be tried again after a backoff that doubles
    /// from 30 seconds up to an hour; or given up after `maximumAttempts` or a refusal that a
    /// retry cannot mend.
    public func settle(_ id: UUID, _ result: DeliveryResult, now: Date) async throws {
        switch result {
        case .sent:
            try await database.withConnection {
                try await $0.run("UPDATE follow_up_messages SET state = 'sent', sent_at = \(now), last_error = NULL WHERE id = \(id)", logger)
            }
        case .failed(let reason, let retry):
            try await database.withConnection {
                try await $0.run(
                    """
                    UPDATE follow_up_messages
                    SET state = CASE WHEN \(retry) AND attempts < \(rules.maximumAttempts) THEN 'failed' ELSE 'given_up' END,
                        last_error = left(\(reason), 500),
                        next_attempt_at = \(now)::timestamptz + least(interval '1 hour', interval '30 seconds' * power(2, attempts - 1))
                    WHERE id = \(id)
                    """, logger)
            }
        }
    }

    /// The course's messages, newest follow-up first; nil when the course is absent or out of scope.
    public func messages(courseId: UUID, scope: Set<UUID>?) async throws -> [OutboxMessage]? {
        try await database.withConnection { connection -> [OutboxMessage]? in
            var query = QueryBuilder("SELECT c.id FROM treatment_courses c WHERE c.id = ")
            query.add("\(query.bind(courseId))" + query.siteConditions(siteId: nil, scope: scope))
            guard try await connection.query(query.query, logger: logger).decode(UUID.self).first(where: { _ in true }) != nil else {
                return nil
            }
            return try await messages(courseIds: [courseId], on: connection)
        }
    }

    /// The messages of each follow-up in `followUps` (a course and a due date), invitation first:
    /// what the due list shows beside each. The courses were read within the caller's scope.
    public func messages(of followUps: [(courseId: UUID, dueOn: CalendarDate)]) async throws -> [UUID: [OutboxMessage]] {
        guard !followUps.isEmpty else { return [:] }
        let dueOn = Dictionary(followUps.map { ($0.courseId, $0.dueOn) }) { first, _ in first }
        let messages = try await database.withConnection { try await self.messages(courseIds: Array(dueOn.keys), on: $0) }
        return Dictionary(grouping: messages.filter { dueOn[$0.courseId] == $0.dueOn }.reversed(), by: \.courseId)
    }

    /// The courses' messages, newest follow-up and latest message first.
    private func messages(courseIds: [UUID], on connection: PostgresConnection) async throws -> [OutboxMessage] {
        var messages: [OutboxMessage] = []
        let rows = try await connection.query(
            """
            SELECT id, course_id, due_on::text, number, channel, state, attempts, last_error, queued_at, sent_at FROM follow_up_messages
            WHERE course_id = ANY(\(courseIds)) ORDER BY course_id, due_on DESC, number DESC
            """, logger: logger)
        for try await row in rows.decode(
            (UUID, UUID, CalendarDate, Int16, ContactChannel, OutboxMessage.State, Int16, String?, Date, Date?).self)
        {
            messages.append(
                OutboxMessage(
                    id: row.0, courseId: row.1, dueOn: row.2, number: Int(row.3), channel: row.4,
                    state: row.5, attempts: Int(row.6), lastError: row.7, queuedAt: row.8, sentAt: row.9))
        }
        return messages
    }

    /// Where `channel` reaches the patient: the LINE user id consented with, the phone on record.
    private func address(_ channel: ContactChannel, _ contact: FollowUpContact, _ patient: PatientRecord) -> String? {
        switch channel {
        case .line: contact.lineUserId
        case .sms: patient.phone.flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}
