import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Everything the course page shows, read on one connection: the timeline, the derived
/// outcome, the patient, and the names of the treating clinician and the site.
public struct CourseOverview: Sendable {
    public let timeline: CourseTimeline
    public let outcome: CourseOutcome?
    public let patient: PatientRecord?
    public let clinicianName: String
    public let siteName: String
    /// Its follow-ups on the day asked about, and its patient links.
    public let schedule: FollowUpSchedule?
    public let links: [FollowUpLink]
}

extension CourseRepository {
    /// nil when the course is absent or at another site. The outcome and the follow-up schedule
    /// come from one read of the course's history.
    public func overview(_ id: UUID, scope: Set<UUID>?, followUp: RegistryConfig.FollowUp, today: CalendarDate) async throws -> CourseOverview? {
        try await database.withConnection { connection in
            guard let timeline = try await timeline(id, rules: rules.block, scope: scope, on: connection) else { return nil }
            let course = timeline.course
            var history: CourseHistory?
            try await streamHistories(courseIds: [id], on: connection) { history = $0 }
            let outcome = history.map { OutcomeRules(rules).outcome(of: $0) }
            let schedule = history.map { FollowUpSchedule($0, rules: followUp, today: today) }
            let links = try await followUpLinks(courseId: id, on: connection)
            let patient = try await patient(course.patientId, scope: scope, on: connection)
            let names = try await connection.query(
                """
                SELECT (SELECT display_name FROM users WHERE id = \(course.clinicianId)), (SELECT name FROM sites WHERE id = \(course.siteId))
                """, logger: logger
            ).decode((String?, String?).self).first { _ in true }
            return CourseOverview(
                timeline: timeline, outcome: outcome, patient: patient, clinicianName: names?.0 ?? "", siteName: names?.1 ?? "",
                schedule: schedule, links: links)
        }
    }

    /// A course's patient links, newest first.
    func followUpLinks(courseId: UUID, on connection: PostgresConnection) async throws -> [FollowUpLink] {
        var links: [FollowUpLink] = []
        for try await r in try await connection.query(
            """
            SELECT l.id, l.created_at, l.expires_at, l.revoked_at, (SELECT count(*) FROM follow_up_answers a WHERE a.link_id = l.id)::integer
            FROM follow_up_links l WHERE l.course_id = \(courseId) ORDER BY l.created_at DESC
            """, logger: logger
        ).decode((UUID, Date, Date, Date?, Int).self) {
            links.append(FollowUpLink(id: r.0, createdAt: r.1, expiresAt: r.2, revokedAt: r.3, answers: r.4))
        }
        return links
    }
}
