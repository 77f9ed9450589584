import Foundation
import RegistryCore

/// What the operational definitions say about one course.
public struct CourseOutcome: Codable, Sendable, Equatable {
    public enum NotEvaluable: String, Codable, Sendable {
        case noSessions = "no_sessions"
        case noBaseline = "no_baseline"
        case baselineBelowMinimum = "baseline_below_minimum"
    }

    public enum CensorReason: String, Codable, Sendable {
        case lastContact = "last_contact"
        case lostToFollowUp = "lost_to_follow_up"
        case otherSurgery = "other_surgery"
        case died
    }

    public let courseId: UUID
    /// Distinct dates with a counted procedure.
    public let sessionCount: Int
    public let firstSessionOn: CalendarDate?
    public let baseline: Int?
    public let notEvaluable: NotEvaluable?
    /// t0: the first outcome score meeting the improvement rule.
    public let improvedOn: CalendarDate?
    /// Sessions dated before t0; nil when the course never improved (then censored at `sessionCount`).
    public let sessionsToImprovement: Int?
    public let moderateOn: CalendarDate?
    public let sessionsToModerate: Int?
    public let recurredOn: CalendarDate?
    /// A loss of response within `recurrence.minimumDaysAfterImprovement` of t0: reported apart.
    public let nonSustainedOn: CalendarDate?
    /// For responders: days from t0 to recurrence, or to censoring.
    public let daysToRecurrenceOrCensoring: Int?
    public let censorReason: CensorReason?
    /// The cohort label: a configured one ("1-2", "3-5"), ">5", "not improved" or "not evaluable".
    public let cohort: String

    public var evaluable: Bool { notEvaluable == nil }
    public var responder: Bool { improvedOn != nil }
}

extension CourseOutcome {
    public static let notImprovedCohort = "not improved"
    public static let notEvaluableCohort = "not evaluable"

    /// The label for responders beyond every configured cohort, such as ">5".
    public static func beyondCohort(_ cohorts: [ClinicalRules.Cohort]) -> String {
        ">\(cohorts.map(\.maximumSessions).max() ?? 0)"
    }
}
