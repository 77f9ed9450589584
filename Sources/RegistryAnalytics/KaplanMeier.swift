import Foundation

/// One subject's follow-up: how long, and whether it ended in the event (else censored).
public struct SurvivalTime: Sendable, Equatable {
    public let time: Double
    public let event: Bool

    public init(_ time: Double, event: Bool) {
        self.time = time
        self.event = event
    }
}

/// Events and censorings at one time: what both estimators consume, so a curve over 100,000
/// courses costs memory per distinct day, not per course.
public struct TimeCounts: Sendable, Equatable {
    public let time: Double
    public let events: Int
    public let censored: Int

    /// Groups individual follow-ups by time, in time order.
    public static func grouping(_ subjects: [SurvivalTime]) -> [TimeCounts] {
        Dictionary(grouping: subjects, by: \.time).map { time, group in
            TimeCounts(time: time, events: group.filter(\.event).count, censored: group.filter { !$0.event }.count)
        }.sorted { $0.time < $1.time }
    }
}

/// The Kaplan–Meier estimate with Greenwood standard errors and log-scale 95% intervals.
public struct KaplanMeier: Codable, Sendable, Equatable {
    /// One row per distinct time at which anything happened (an event or a censoring).
    public struct Row: Codable, Sendable, Equatable {
        public let time: Double
        /// At risk just before `time`; a subject censored at `time` is still at risk at it.
        public let atRisk: Int
        public let events: Int
        public let censored: Int
        public let survival: Double
        public let standardError: Double?
        public let lower: Double?
        public let upper: Double?
    }

    public let n: Int
    public let rows: [Row]
    /// The first time survival falls to 0.5 or below; nil when it never does.
    public let median: Double?

    public init(_ subjects: [SurvivalTime], z: Double = z95) {
        self.init(grouped: TimeCounts.grouping(subjects), z: z)
    }

    /// `grouped` must be in time order.
    public init(grouped: [TimeCounts], z: Double = z95) {
        n = grouped.reduce(0) { $0 + $1.events + $1.censored }
        var rows: [Row] = []
        var survival = 1.0
        var greenwood = 0.0
        var atRisk = n
        for group in grouped {
            if group.events > 0 {
                survival *= 1 - Double(group.events) / Double(atRisk)
                greenwood = atRisk > group.events ? greenwood + Double(group.events) / Double(atRisk * (atRisk - group.events)) : .infinity
            }
            let logSE = greenwood.squareRoot()
            let finite = greenwood.isFinite && survival > 0
            rows.append(
                Row(
                    time: group.time, atRisk: atRisk, events: group.events, censored: group.censored, survival: survival,
                    standardError: finite ? survival * logSE : nil,
                    lower: finite ? survival * exp(-z * logSE) : nil,
                    upper: finite ? min(1, survival * exp(z * logSE)) : nil))
            atRisk -= group.events + group.censored
        }
        self.rows = rows
        median = rows.first { $0.events > 0 && $0.survival <= 0.5 }?.time
    }

    /// The estimate at `time` (a milestone, a session number), with the courses still followed
    /// then: those whose event or censoring time is at or after it. That is not the at-risk count
    /// of the last row before `time`, since courses that left between that row and `time` are gone.
    /// After S reaches 0, S is 0; after the last follow-up with S > 0, S and its interval are not
    /// estimable (nil). Either way nobody is at risk then. A group with no follow-up at all (no
    /// courses) has no estimate at any time: nil with nobody at risk, never 1.
    public func estimate(at time: Double) -> Point {
        guard n > 0 else { return Point(time: time, atRisk: 0, survival: nil, standardError: nil, lower: nil, upper: nil) }
        let left = rows.filter { $0.time < time }.reduce(0) { $0 + $1.events + $1.censored }
        guard let row = rows.last(where: { $0.time <= time }) else {
            return Point(time: time, atRisk: n, survival: 1, standardError: 0, lower: 1, upper: 1)
        }
        if let last = rows.last, time > last.time, last.survival > 0 {
            return Point(time: time, atRisk: 0, survival: nil, standardError: nil, lower: nil, upper: nil)
        }
        return Point(time: time, atRisk: n - left, survival: row.survival, standardError: row.standardError, lower: row.lower, upper: row.upper)
    }

    /// The curve read at one time.
    public struct Point: Codable, Sendable, Equatable {
        public let time: Double
        public let atRisk: Int
        public let survival: Double?
        public let standardError: Double?
        public let lower: Double?
        public let upper: Double?
    }
}
