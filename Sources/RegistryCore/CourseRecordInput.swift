/// An input that hangs off an existing course (block, session, pain score, event, findings):
/// it validates against the clock, the rules, and the date the course started.
public protocol CourseRecordInput: Decodable, Sendable {
    associatedtype Valid: Sendable
    func validated(_ context: ValidationContext, courseStart: CalendarDate) throws(ValidationFailure) -> Valid
}

extension BlockInput: CourseRecordInput {}
extension SessionInput: CourseRecordInput {}
extension PainScoreInput: CourseRecordInput {}
extension CourseEventInput: CourseRecordInput {}
extension FindingsInput: CourseRecordInput {}
