import Foundation

/// A clinician's explicit flag on a course: recurrence observed, referral, discharge, loss.
public struct CourseEventInput: Codable, Sendable {
    public var kind: String?
    public var occurredOn: String?
    public var note: String?

    public init(kind: String? = nil, occurredOn: String? = nil, note: String? = nil) {
        self.kind = kind
        self.occurredOn = occurredOn
        self.note = note
    }

    public func validated(_ context: ValidationContext, courseStart: CalendarDate? = nil) throws(ValidationFailure) -> NewCourseEvent {
        var v = Validator()
        let kind = v.coded(kind, "kind", as: CourseEventKind.self)
        let date = v.date(occurredOn, "occurredOn", notAfter: context.today)
        v.notBeforeCourseStart(date, "occurredOn", courseStart: courseStart)
        let note = v.text(note, "note", maxLength: TextLimit.notes)
        return try v.finish { NewCourseEvent(kind: kind!, occurredOn: date!, note: note) }
    }
}

public struct NewCourseEvent: Sendable, Equatable {
    public let kind: CourseEventKind
    public let occurredOn: CalendarDate
    public let note: String?

    public init(kind: CourseEventKind, occurredOn: CalendarDate, note: String? = nil) {
        self.kind = kind
        self.occurredOn = occurredOn
        self.note = note
    }
}
