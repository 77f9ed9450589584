import Foundation

/// What validation needs to know beyond the input: the clock, the clinic's calendar and the
/// configured thresholds. Passing it in keeps validation pure and testable at any date.
public struct ValidationContext: Sendable {
    public let now: Date
    public let today: CalendarDate
    public let rules: ClinicalRules

    public init(now: Date, today: CalendarDate, rules: ClinicalRules) {
        self.now = now
        self.today = today
        self.rules = rules
    }

    public init(config: RegistryConfig, now: Date = Date()) {
        self.init(now: now, today: config.today(now: now), rules: config.clinical)
    }
}

/// Free text is capped everywhere so a pasted document cannot bloat a record.
public enum TextLimit {
    public static let notes = 2000
    public static let name = 100
}

extension Validator {
    /// A record of a course must not be dated before the course started.
    /// Without a course start (the first validation step) there is nothing to check yet.
    public mutating func notBeforeCourseStart(_ date: CalendarDate?, _ field: String, courseStart: CalendarDate?) {
        if let date, let courseStart, date < courseStart {
            fail(field, "not_before_course_start", "must not be before the course started (\(courseStart))")
        }
    }
}
