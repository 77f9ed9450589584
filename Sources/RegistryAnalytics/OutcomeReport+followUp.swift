import Foundation
import RegistryCore

extension OutcomeReport {
    /// How many follow-ups were answered, per milestone and per site.
    public struct FollowUpReport: Codable, Sendable {
        public let milestones: [Completeness]
        public let sites: [Completeness]
    }

    /// `key` is the milestone's label or the site's id.
    public struct Completeness: Codable, Sendable {
        public let key: String
        /// Answered among the follow-ups answered or missed (upcoming and open ones are not yet due).
        public let answered: Proportion
    }
}

/// Counts answered and closed follow-ups as courses stream past, from each course's schedule on
/// the report's day.
struct FollowUpCompleteness: Sendable {
    let rules: RegistryConfig.FollowUp
    let today: CalendarDate
    private var milestones: [String: (answered: Int, due: Int)] = [:]
    private var sites: [UUID: (answered: Int, due: Int)] = [:]

    init(rules: RegistryConfig.FollowUp, today: CalendarDate) {
        self.rules = rules
        self.today = today
    }

    mutating func add(_ history: CourseHistory) {
        for followUp in FollowUpSchedule(history, rules: rules, today: today).followUps where followUp.state == .answered || followUp.state == .missed
        {
            let answered = followUp.state == .answered ? 1 : 0
            milestones[followUp.label, default: (0, 0)].answered += answered
            milestones[followUp.label, default: (0, 0)].due += 1
            sites[history.siteId, default: (0, 0)].answered += answered
            sites[history.siteId, default: (0, 0)].due += 1
        }
    }

    var report: OutcomeReport.FollowUpReport {
        OutcomeReport.FollowUpReport(
            milestones: rules.milestones.map { milestone in
                let counts = milestones[milestone.label] ?? (0, 0)
                return OutcomeReport.Completeness(key: milestone.label, answered: Proportion(counts.answered, of: counts.due))
            },
            sites: sites.sorted { $0.key.uuidString < $1.key.uuidString }.map {
                OutcomeReport.Completeness(key: $0.key.uuidString.lowercased(), answered: Proportion($0.value.answered, of: $0.value.due))
            })
    }
}
