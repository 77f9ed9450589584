import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// A follow-up waiting for an answer, with who to ask and how to reach them.
public struct DueFollowUp: Sendable {
    public let courseId: UUID
    public let siteId: UUID
    public let siteName: String
    public let patient: PatientRecord
    public let followUp: FollowUpSchedule.FollowUp
}

/// A patient's answer saying the pain came back, waiting for a clinician to look at it.
public struct OpenReview: Sendable {
    public let id: UUID
    public let courseId: UUID
    public let patient: PatientRecord
    public let answeredOn: CalendarDate
}

/// A patient link as the clinic sees it (never the token, which only its hash is kept of).
public struct FollowUpLink: Sendable {
    public let id: UUID
    public let createdAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?
    public let answers: Int
}

/// Follow-up: each course's schedule (from its records and the configured milestones), the due
/// list per site, patient links (random tokens stored only hashed) and the answers sent from
/// them, which become follow-up pain scores entered by the patient.
public struct FollowUpRepository: PatientRows {
    let database: RegistryDatabase
    let rules: RegistryConfig.FollowUp

    /// The course's schedule on `today`; nil when absent or at another site.
    func schedule(_ courseId: UUID, scope: Set<UUID>?, today: CalendarDate, on connection: PostgresConnection) async throws -> FollowUpSchedule? {
        var schedule: FollowUpSchedule?
        try await streamHistories(courseIds: [courseId], scope: scope, on: connection) {
            schedule = FollowUpSchedule($0, rules: rules, today: today)
        }
        return schedule
    }

    /// Follow-ups due or overdue today at the caller's sites (or at `siteId`), soonest first, with
    /// each patient's contact details and site: in two statements, the histories of the courses
    /// that may have a window open today, then the patients of those that do.
    public func due(siteId: UUID? = nil, scope: Set<UUID>?, today: CalendarDate) async throws -> [DueFollowUp] {
        try await database.withConnection { connection in
            var open: [(courseId: UUID, siteId: UUID, patientId: UUID, followUp: FollowUpSchedule.FollowUp)] = []
            let histories = DueHistories(siteId: siteId, scope: scope, sessionWindows: sessionWindows(today))
            try await assembleHistories(try await connection.execute(histories, logger: logger)) { history in
                if let followUp = FollowUpSchedule(history, rules: rules, today: today).open, let patient = history.facts?.patientId {
                    open.append((history.courseId, history.siteId, patient, followUp))
                }
            }
            let ids = Array(Set(open.map(\.patientId)))
            let patients =
                ids.isEmpty
                ? [] : try await patients(ids: ids, scope: scope, page: PageRequest(limit: PageRequest.maximumLimit), on: connection).items
            let byId = Dictionary(uniqueKeysWithValues: patients.map { ($0.record.id, $0) })
            return open.compactMap { item in
                byId[item.patientId].map {
                    DueFollowUp(courseId: item.courseId, siteId: item.siteId, siteName: $0.siteName, patient: $0.record, followUp: item.followUp)
                }
            }.sorted { ($0.followUp.dueOn, $0.courseId.uuidString) < ($1.followUp.dueOn, $1.courseId.uuidString) }
        }
    }

    /// For each milestone, the sessions from which its window spans today: every course whose
    /// schedule (counted from its latest session) has a window open today has a session in one, so
    /// `FollowUpSchedule` still decides; these only spare reading the other courses.
    private func sessionWindows(_ today: CalendarDate) -> [(from: CalendarDate, to: CalendarDate)] {
        rules.milestones.map { milestone in
            (today.adding(days: -milestone.days - rules.windowDaysAfter), today.adding(days: -milestone.days + rules.windowDaysBefore))
        }
    }

    /// A new link for a course the caller can see: the token is returned this once.
    public func createLink(courseId: UUID, scope: Set<UUID>?, by actor: Actor) async throws -> (id: UUID, token: String, expires: Date) {
        try await database.transaction { connection in
            var query = QueryBuilder("SELECT c.id FROM treatment_courses c WHERE c.id = ")
            query.add("\(query.bind(courseId))" + query.siteConditions(siteId: nil, scope: scope))
            guard try await connection.query(query.query, logger: logger).decode(UUID.self).first(where: { _ in true }) != nil else {
                throw StoreError.notFound("course \(courseId)")
            }
            return try await insertLink(courseId: courseId, by: actor, on: connection)
        }
    }

    /// The one place a link is made, audited: by a clinician on the course page or the API, or
    /// by the outbox for a message.
    func insertLink(courseId: UUID, by actor: Actor, on connection: PostgresConnection) async throws -> (id: UUID, token: String, expires: Date) {
        let token = Secret.generate(prefix: "")
        let row = try await connection.query(
            """
            INSERT INTO follow_up_links (course_id, token_hash, created_by, expires_at)
            VALUES (\(courseId), \(Secret.hash(token)), \(actor.userId), now() + \(rules.linkDays) * interval '1 day')
            RETURNING id, expires_at
            """, logger: logger
        ).decode((UUID, Date).self).first { _ in true }!
        try await auditAction("create", actor: actor, details: "{\"follow_up_link\":\"\(row.0.uuidString.lowercased())\"}", on: connection)
        return (row.0, token, row.1)
    }

    /// Revokes a link of a course in `scope`; false when it was revoked already (a second click
    /// changes nothing). A link that is not there, or not in scope, is not found.
    @discardableResult
    public func revokeLink(_ id: UUID, courseId: UUID, scope: Set<UUID>?, by actor: Actor) async throws -> Bool {
        try await database.transaction { connection in
            var query = QueryBuilder("SELECT l.revoked_at IS NOT NULL FROM follow_up_links l JOIN treatment_courses c ON c.id = l.course_id")
            query.add(
                " WHERE l.id = \(query.bind(id)) AND c.id = \(query.bind(courseId))" + query.siteConditions(siteId: nil, scope: scope)
                    + " FOR UPDATE OF l")
            guard let revoked = try await connection.query(query.query, logger: logger).decode(Bool.self).first(where: { _ in true }) else {
                throw StoreError.notFound("link \(id)")
            }
            if revoked { return false }
            try await connection.run("UPDATE follow_up_links SET revoked_at = now() WHERE id = \(id)", logger)
            try await auditAction("void", actor: actor, details: "{\"follow_up_link\":\"\(id.uuidString.lowercased())\"}", on: connection)
            return true
        }
    }

    /// What a link opens: the clinic's name, the follow-up waiting for an answer, and whether
    /// this link answered one in the past day (so a reopened link says "already received");
    /// nil for an unknown, expired, revoked or altered token alike (callers must not tell them apart).
    public func link(token: String, today: CalendarDate) async throws -> (clinic: String, open: FollowUpSchedule.FollowUp?, answeredRecently: Bool)? {
        try await database.withConnection { connection in
            guard let link = try await validLink(token, on: connection) else { return nil }
            let schedule = try await schedule(link.courseId, scope: nil, today: today, on: connection)
            return (link.clinic, schedule?.open, try await answeredRecently(link.id, on: connection))
        }
    }

    private func answeredRecently(_ linkId: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(
            "SELECT 1 FROM follow_up_answers WHERE link_id = \(linkId) AND answered_at > now() - interval '1 day'",
            logger: logger
        ).decode(Int.self).first { _ in true } != nil
    }

    /// Whether the answer already kept (for the follow-up due on `dueOn` of `course`, else the
    /// link's latest of the past day) is this one, sent from this link; nil when there is none.
    private func earlierAnswer(
        _ answer: PatientAnswer, link: UUID, course: UUID? = nil, dueOn: CalendarDate? = nil, on connection: PostgresConnection
    ) async throws -> Bool? {
        let query: PostgresQuery =
            if let course, let dueOn {
                """
                SELECT a.link_id = \(link) AND p.nrs = \(answer.nrs) AND p.pgic IS NOT DISTINCT FROM \(answer.pgic)
                       AND a.pain_came_back = \(answer.painCameBack)
                FROM follow_up_answers a JOIN pain_scores p ON p.id = a.pain_score_id
                WHERE a.course_id = \(course) AND a.due_on = \(dueOn.description)::date
                """
            } else {
                """
                SELECT p.nrs = \(answer.nrs) AND p.pgic IS NOT DISTINCT FROM \(answer.pgic) AND a.pain_came_back = \(answer.painCameBack)
                FROM follow_up_answers a JOIN pain_scores p ON p.id = a.pain_score_id
                WHERE a.link_id = \(link) AND a.answered_at > now() - interval '1 day' ORDER BY a.answered_at DESC LIMIT 1
                """
            }
        return try await connection.query(query, logger: logger).decode(Bool.self).first { _ in true }
    }

    public enum AnswerResult: Sendable, Equatable {
        case recorded
        /// This follow-up already has its answer.
        case alreadyReceived
        /// No follow-up is waiting for an answer now.
        case nothingDue
        /// Unknown, expired, revoked or altered.
        case invalidLink
    }

    /// Records a patient's answer to the follow-up waiting now: a follow-up pain score entered by
    /// the patient (audited with the link as actor) and, when the pain came back, a review item
    /// for the clinician. One answer per follow-up; everything in one transaction.
    public func answer(token: String, _ answer: PatientAnswer, today: CalendarDate) async throws -> AnswerResult {
        try await database.transaction { connection in
            guard let link = try await validLink(token, on: connection) else { return .invalidLink }
            // Answers to one course queue here, so a double submit finds the first one's row.
            try await connection.run("SELECT 1 FROM treatment_courses WHERE id = \(link.courseId) FOR UPDATE", logger)
            guard let open = try await schedule(link.courseId, scope: nil, today: today, on: connection)?.open else {
                // Answered just now: the same answer again (a double tap, a resend) is thanked for again.
                switch try await earlierAnswer(answer, link: link.id, on: connection) {
                case true?: return .recorded
                case false?: return .alreadyReceived
                case nil: return .nothingDue
                }
            }
            if let same = try await earlierAnswer(answer, link: link.id, course: link.courseId, dueOn: open.dueOn, on: connection) {
                return same ? .recorded : .alreadyReceived
            }
            let actor = Actor.patientLink(link.id, route: "POST /f/{token}")
            let score = NewPainScore(recordedOn: today, timepoint: .followUp, nrs: answer.nrs, odi: nil, pgic: answer.pgic)
            let record = try await addPainScores(
                [score], to: link.courseId, source: .patient, by: PainScoreWriter(actor: actor, sites: nil), on: connection)[0]
            let answerId = try await connection.query(
                """
                INSERT INTO follow_up_answers (link_id, course_id, due_on, pain_score_id, pain_came_back)
                VALUES (\(link.id), \(link.courseId), \(open.dueOn.description)::date, \(record.id), \(answer.painCameBack)) RETURNING id
                """, logger: logger
            ).decode(UUID.self).first { _ in true }!
            if answer.painCameBack {
                try await connection.run("INSERT INTO follow_up_reviews (course_id, answer_id) VALUES (\(link.courseId), \(answerId))", logger)
            }
            return .recorded
        }
    }

    /// Courses at the caller's sites whose patient said the pain came back, not yet reviewed, with
    /// the patient, in one statement.
    public func openReviews(scope: Set<UUID>?) async throws -> [OpenReview] {
        try await database.withConnection { connection in
            var query = QueryBuilder(
                """
                SELECT r.id, r.course_id, a.answered_at::date::text, \(PatientColumns.sql)
                FROM follow_up_reviews r JOIN follow_up_answers a ON a.id = r.answer_id
                JOIN treatment_courses c ON c.id = r.course_id JOIN (\(PatientColumns.from)) ON p.id = c.patient_id
                WHERE r.resolved_at IS NULL
                """)
            query.add(query.siteConditions(siteId: nil, scope: scope) + " ORDER BY a.answered_at")
            var reviews: [OpenReview] = []
            for try await row in try await connection.query(query.query, logger: logger) {
                let cells = row.makeRandomAccess()
                guard let patient = try PatientColumns.decode(cells, from: 3) else { continue }
                reviews.append(
                    OpenReview(
                        id: try cells[0].decode(UUID.self), courseId: try cells[1].decode(UUID.self), patient: patient.record,
                        answeredOn: try calendarDate(try cells[2].decode(String.self))))
            }
            return reviews
        }
    }

    /// Marks a review item of a course in `scope` seen (the clinician decides whether to record a
    /// recurrence); false when it was resolved already. One not there, or not in scope, is not found.
    @discardableResult
    public func resolveReview(_ id: UUID, scope: Set<UUID>?, by actor: Actor) async throws -> Bool {
        try await database.transaction { connection in
            var query = QueryBuilder("SELECT r.resolved_at IS NOT NULL FROM follow_up_reviews r JOIN treatment_courses c ON c.id = r.course_id")
            query.add(" WHERE r.id = \(query.bind(id))" + query.siteConditions(siteId: nil, scope: scope) + " FOR UPDATE OF r")
            guard let resolved = try await connection.query(query.query, logger: logger).decode(Bool.self).first(where: { _ in true }) else {
                throw StoreError.notFound("review \(id)")
            }
            if resolved { return false }
            // resolved_by stays null for an actor without an account.
            try await connection.run(
                """
                UPDATE follow_up_reviews SET resolved_at = now(),
                    resolved_by = (SELECT id FROM users WHERE id = \(actor.userId ?? UUID())) WHERE id = \(id)
                """, logger)
            try await auditAction(
                "correct", actor: actor, details: "{\"follow_up_review\":\"\(id.uuidString.lowercased())\"}", on: connection)
            return true
        }
    }

    /// The live link of `token` with its course and the name of the course's site.
    private func validLink(_ token: String, on connection: PostgresConnection) async throws -> (id: UUID, courseId: UUID, clinic: String)? {
        // Hashing every token, well-formed or not, keeps an unknown token as slow as a known one.
        let hash = Secret.hash(token)
        return try await connection.query(
            """
            SELECT l.id, l.course_id, s.name FROM follow_up_links l JOIN treatment_courses c ON c.id = l.course_id JOIN sites s ON s.id = c.site_id
            WHERE l.token_hash = \(hash) AND l.revoked_at IS NULL AND l.expires_at > now()
            """, logger: logger
        ).decode((UUID, UUID, String).self).first { _ in true }.map { (id: $0.0, courseId: $0.1, clinic: $0.2) }
    }
}

/// The histories of the courses at the caller's sites (or at one) with a session inside one of
/// the given windows: the due list's candidates, as one named statement.
struct DueHistories: PostgresPreparedStatement {
    static let sql =
        HistoryRows.sql(
            courseFilter: """
                 AND ($1::uuid IS NULL OR c.site_id = $1) AND ($2::uuid[] IS NULL OR c.site_id = ANY($2))
                 AND EXISTS (SELECT 1 FROM treatment_sessions s JOIN unnest($3::text[]::date[], $4::text[]::date[]) w(since, until)
                             ON s.session_on BETWEEN w.since AND w.until WHERE s.course_id = c.id AND s.voided_at IS NULL)
                """, selectedFirst: true) + HistoryRows.order
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuidArray, .textArray, .textArray]
    typealias Row = HistoryRow

    let siteId: UUID?
    let scope: Set<UUID>?
    let sessionWindows: [(from: CalendarDate, to: CalendarDate)]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(siteId)
        bindings.append(scope.map(Array.init))
        bindings.append(sessionWindows.map(\.from.description))
        bindings.append(sessionWindows.map(\.to.description))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
