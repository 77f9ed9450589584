import Foundation
import RegistryCore

extension OutcomeReport {
    /// Response per site and per clinician, so a manager can compare branches: the same
    /// definitions as the headline figures, within each group.
    public struct Breakdown: Codable, Sendable {
        public let sites: [Group]
        public let clinicians: [Group]
    }

    public struct Group: Codable, Sendable {
        public let id: UUID
        public let courses: Int
        public let evaluable: Int
        /// Substantial response among the group's evaluable courses (Wilson 95% CI).
        public let response: Proportion
    }

    /// Median NRS (with quartiles) in one week since the first treatment session, across the
    /// cohort's courses that have a score that week.
    public struct WeekSummary: Codable, Sendable {
        public let week: Int
        public let n: Int
        public let median: Double?
        public let q1: Double?
        public let q3: Double?
    }

    /// Weeks after the first session the NRS-by-week figures reach (a year).
    public static let lastNRSWeek = 52
}

/// Courses, evaluable courses and responders of one site or clinician, as the builder counts them.
struct GroupCounts: Sendable {
    var courses = 0
    var evaluable = 0
    var responders = 0

    mutating func add(_ outcome: CourseOutcome) {
        courses += 1
        if outcome.notEvaluable == nil { evaluable += 1 }
        if outcome.sessionsToImprovement != nil { responders += 1 }
    }

    static func groups(_ counts: [UUID: GroupCounts]) -> [OutcomeReport.Group] {
        counts.map {
            OutcomeReport.Group(
                id: $0.key, courses: $0.value.courses, evaluable: $0.value.evaluable,
                response: Proportion($0.value.responders, of: $0.value.evaluable))
        }
        .sorted { ($0.courses, $1.id.uuidString) > ($1.courses, $0.id.uuidString) }
    }
}

/// Per week since the first session, a histogram of NRS values (0–10): exact quartiles in
/// memory that does not grow with the number of courses.
struct NRSByWeek: Sendable {
    private var weeks: [Int: Histogram] = [:]

    /// Each week's last score of the course (scores taken immediately after a procedure left
    /// out, as everywhere in the outcome definitions).
    mutating func add(_ history: CourseHistory, firstSession: CalendarDate) {
        // One slot per week (a fixed array: this runs once per course of the report).
        var last = [(day: Int, nrs: Int)?](repeating: nil, count: OutcomeReport.lastNRSWeek + 1)
        for score in history.scores where score.timepoint != .postProcedure {
            let day = firstSession.days(until: score.on)
            guard day >= 0, day / 7 <= OutcomeReport.lastNRSWeek else { continue }
            // The week's latest score; on one day, the highest (the order scores were entered in never decides).
            if let current = last[day / 7], current.day > day || (current.day == day && current.nrs >= score.nrs) { continue }
            last[day / 7] = (day, score.nrs)
        }
        for (week, score) in last.enumerated() {
            if let score { weeks[week, default: Histogram()].add(score.nrs) }
        }
    }

    var summaries: [OutcomeReport.WeekSummary] {
        weeks.keys.sorted().map { week in
            let summary = weeks[week]!.summary
            return OutcomeReport.WeekSummary(week: week, n: summary.n, median: summary.median, q1: summary.q1, q3: summary.q3)
        }
    }
}
