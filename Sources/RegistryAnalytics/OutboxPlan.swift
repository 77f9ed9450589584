import Foundation
import RegistryCore

/// Which message a follow-up calls for on a given day: the invitation (number 0) once its window
/// is open, then a reminder (1, 2, …) once it is overdue and `reminderAfterDays` have passed
/// since the previous message was sent, at most `maximumReminders`. Worked out from the schedule
/// each time, so a new session, a void, a discharge or an answer changes what is sent without
/// anything scheduled to delete.
public enum OutboxPlan {
    /// A message a follow-up already has.
    public struct Message: Sendable, Equatable {
        public let number: Int
        /// When it was sent, on the clinic's calendar; nil while it waits, or when it was given up
        /// or cancelled (then nothing follows it).
        public let sentOn: CalendarDate?

        public init(number: Int, sentOn: CalendarDate?) {
            self.number = number
            self.sentOn = sentOn
        }
    }

    /// The number of the message to queue now, or nil.
    public static func next(
        for followUp: FollowUpSchedule.FollowUp, messages: [Message], rules: RegistryConfig.Outbox, today: CalendarDate
    ) -> Int? {
        guard followUp.state == .due || followUp.state == .overdue else { return nil }
        guard rules.milestones.isEmpty || rules.milestones.contains(followUp.label) else { return nil }
        guard let last = messages.max(by: { $0.number < $1.number }) else { return 0 }
        guard let sentOn = last.sentOn, last.number < rules.maximumReminders, followUp.state == .overdue,
            today >= sentOn.adding(days: rules.reminderAfterDays)
        else { return nil }
        return last.number + 1
    }
}
