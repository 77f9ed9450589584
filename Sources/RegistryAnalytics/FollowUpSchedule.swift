import Foundation
import RegistryCore

/// A course's follow-ups: the configured milestones counted from its most recent treatment
/// session, each with its answer window and its state on a given day. Worked out from the
/// course's records whenever it is read, so a new session moves the schedule at once and nothing
/// stored can go stale.
public struct FollowUpSchedule: Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Its window has not opened.
        case upcoming
        /// The window is open and the date not yet passed.
        case due
        /// Past the date, the window still open.
        case overdue
        /// A follow-up score was recorded inside the window (by the clinician or the patient).
        case answered
        /// The window closed without one.
        case missed
    }

    public struct FollowUp: Codable, Sendable, Equatable {
        public let label: String
        public let dueOn: CalendarDate
        public let opensOn: CalendarDate
        public let closesOn: CalendarDate
        public let state: State
        /// The first follow-up score in the window, when answered.
        public let answeredOn: CalendarDate?
        /// Who entered that score: the patient from a link, or a clinician (by phone, at the clinic).
        public let answeredBy: ScoreSource?
    }

    /// The session the milestones count from; nil for a course without one (no schedule).
    public let lastSessionOn: CalendarDate?
    /// The event that ended follow-up (discharge, loss, other surgery, death), if any: no
    /// follow-up falls after it.
    public let endedOn: CalendarDate?
    public let followUps: [FollowUp]

    /// Events after which a course is no longer followed.
    public static let endingEvents: Set<CourseEventKind> = [.discharged, .lostToFollowUp, .otherSurgery, .died]

    public init(_ history: CourseHistory, rules: RegistryConfig.FollowUp, today: CalendarDate) {
        let last = history.procedures.map(\.on).max()
        let ended = history.events.filter { Self.endingEvents.contains($0.kind) }.map(\.on).min()
        lastSessionOn = last
        endedOn = ended
        guard let last else {
            followUps = []
            return
        }
        // On one day, the clinician's score is taken before the patient's: the order is fixed, never the entry order.
        let answers = history.scores.filter { $0.timepoint == .followUp }.sorted { ($0.on, $0.source.rawValue) < ($1.on, $1.source.rawValue) }
        followUps = rules.milestones.compactMap { milestone in
            let due = last.adding(days: milestone.days)
            if let ended, due > ended { return nil }
            let opens = due.adding(days: -rules.windowDaysBefore), closes = due.adding(days: rules.windowDaysAfter)
            let answer = answers.first { $0.on >= opens && $0.on <= closes }
            let state: State = answer != nil ? .answered : today < opens ? .upcoming : today <= due ? .due : today <= closes ? .overdue : .missed
            return FollowUp(
                label: milestone.label, dueOn: due, opensOn: opens, closesOn: closes, state: state, answeredOn: answer?.on, answeredBy: answer?.source
            )
        }
    }

    /// The follow-up waiting for an answer today (due or overdue), if any.
    public var open: FollowUp? { followUps.first { $0.state == .due || $0.state == .overdue } }
}
