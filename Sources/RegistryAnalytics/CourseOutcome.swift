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
    /// The date and timepoint of the score chosen as baseline, so a researcher can recompute it.
    public let baselineOn: CalendarDate?
    public let baselineTimepoint: Timepoint?
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
    /// The cohort label: a configured one ("1-2", "3-5"), "other" (a gap between configured
    /// cohorts), ">5", "not improved" or "not evaluable".
    public let cohort: String
    /// What was known before the first session; nil without sessions.
    public let characteristics: BaselineCharacteristics?

    public var evaluable: Bool { notEvaluable == nil }
    public var responder: Bool { improvedOn != nil }
}

extension CourseOutcome {
    public static let notImprovedCohort = "not improved"
    public static let notEvaluableCohort = "not evaluable"
    /// Responders whose sessions-to-improvement fall in a gap between configured cohorts.
    public static let otherCohort = "other"

    /// The label for responders beyond every configured cohort, such as ">5".
    public static func beyondCohort(_ cohorts: [ClinicalRules.Cohort]) -> String {
        ">\(cohorts.map(\.maximumSessions).max() ?? 0)"
    }

    /// True when some session count from 1 to the highest configured maximum is in no cohort.
    public static func cohortsLeaveGap(_ cohorts: [ClinicalRules.Cohort]) -> Bool {
        let highest = cohorts.map(\.maximumSessions).max() ?? 0
        return (1...max(1, highest)).contains { k in !cohorts.contains { $0.contains(k) } }
    }

    /// Every label a course can get, in report order: the configured cohorts, "other" only (and
    /// always) when they leave a gap, ">N", "not improved" and "not evaluable".
    public static func cohortLabels(_ cohorts: [ClinicalRules.Cohort]) -> [String] {
        cohorts.map(\.label) + (cohortsLeaveGap(cohorts) ? [otherCohort] : [])
            + [beyondCohort(cohorts), notImprovedCohort, notEvaluableCohort]
    }
}
