/// An input that hangs off an existing course (block, session, pain score, event, findings):
/// it validates against the clock, the rules, and the date the course started.
///
/// Validation runs in two steps so that no database connection is held for rules that need
/// none: first everything but the course start (`courseStart: nil`), before the write begins;
/// then, with the course locked, `checkNotBefore(courseStart:)` of the valid record.
public protocol CourseRecordInput: Decodable, Sendable {
    associatedtype Valid: DatedCourseRecord
    func validated(_ context: ValidationContext, courseStart: CalendarDate?) throws(ValidationFailure) -> Valid
}

extension BlockInput: CourseRecordInput {}
extension SessionInput: CourseRecordInput {}
extension PainScoreInput: CourseRecordInput {}
extension CourseEventInput: CourseRecordInput {}
extension FindingsInput: CourseRecordInput {}

/// A valid course record and the dates in it that must not precede the course's start.
public protocol DatedCourseRecord: Sendable {
    /// Each date with the input field it came from, for the error message.
    var datedFields: [(field: String, date: CalendarDate)] { get }
}

extension DatedCourseRecord {
    /// The second validation step: the rule `Validator.notBeforeCourseStart` applies to input.
    public func checkNotBefore(courseStart: CalendarDate) throws(ValidationFailure) {
        var v = Validator()
        for (field, date) in datedFields { v.notBeforeCourseStart(date, field, courseStart: courseStart) }
        try v.finish { () }
    }
}

extension NewBlock: DatedCourseRecord {
    public var datedFields: [(field: String, date: CalendarDate)] { [("performedAt", CalendarDate(performedAt, in: .gmt))] }
}

extension NewSession: DatedCourseRecord {
    public var datedFields: [(field: String, date: CalendarDate)] { [("sessionOn", sessionOn)] }
}

extension NewPainScore: DatedCourseRecord {
    public var datedFields: [(field: String, date: CalendarDate)] { [("recordedOn", recordedOn)] }
}

extension NewCourseEvent: DatedCourseRecord {
    public var datedFields: [(field: String, date: CalendarDate)] { [("occurredOn", occurredOn)] }
}

extension NewFindings: DatedCourseRecord {
    public var datedFields: [(field: String, date: CalendarDate)] { [("recordedOn", recordedOn)] }
}
