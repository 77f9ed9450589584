import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Everything the course page shows, from one statement (`CourseRead`): the timeline, the
/// derived outcome, the patient, and the names of the treating clinician and the site.
public struct CourseOverview: Sendable {
    public let timeline: CourseTimeline
    public let outcome: CourseOutcome?
    public let patient: PatientRecord?
    public let clinicianName: String
    public let siteName: String
    /// Its follow-ups on the day asked about, its patient links and the messages the outbox sent.
    public let schedule: FollowUpSchedule?
    public let links: [FollowUpLink]
    public let messages: [OutboxMessage]
}

extension CourseRepository {
    /// nil when the course is absent or at another site. The outcome and the follow-up schedule
    /// come from the same rows as the timeline (`CourseReading.history`).
    public func overview(_ id: UUID, scope: Set<UUID>?, followUp: RegistryConfig.FollowUp, today: CalendarDate) async throws -> CourseOverview? {
        guard let reading = try await database.withConnection({ try await read(id, rules: rules.block, scope: scope, on: $0) }) else { return nil }
        let history = reading.history
        return CourseOverview(
            timeline: reading.timeline, outcome: history.map { OutcomeRules(rules).outcome(of: $0) }, patient: reading.patient,
            clinicianName: reading.clinicianName, siteName: reading.siteName,
            schedule: history.map { FollowUpSchedule($0, rules: followUp, today: today) },
            links: reading.links, messages: reading.messages)
    }
}
