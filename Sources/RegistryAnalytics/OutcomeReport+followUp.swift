import Foundation
import RegistryCore

extension OutcomeReport {
    /// How many follow-ups were asked for and answered, per milestone, per site and per channel of
    /// the invitation.
    public struct FollowUpReport: Codable, Sendable {
        public let milestones: [Completeness]
        public let sites: [Completeness]
        /// `key` is the invitation's channel, or `none` for follow-ups the outbox did not invite.
        public let channels: [Completeness]
    }

    /// `key` is the milestone's label, the site's id or the channel. Every share but the last is
    /// of the same follow-ups: those answered or whose window closed (upcoming and open ones are
    /// not yet due). The four ways of answering add up to `answered`.
    public struct Completeness: Codable, Sendable {
        public let key: String
        public let answered: Proportion
        /// The outbox sent the invitation.
        public let invited: Proportion
        /// Answered from the message's link after the invitation, before any reminder was sent.
        public let answeredAfterInvitation: Proportion
        /// Answered from a link on or after the day a reminder was sent.
        public let answeredAfterReminder: Proportion
        /// Answered from a link the clinic gave by hand, with no message from the outbox.
        public let answeredFromClinicLink: Proportion
        /// Entered by a clinician: asked by phone or at the clinic.
        public let answeredByClinician: Proportion
        /// Not answered, no message sent and no link made since the session the follow-up counts from.
        public let neverAsked: Proportion
        /// Answered among the invited: the invitations' response rate.
        public let answeredOfInvited: Proportion
    }
}

/// The day a report's follow-up figures are worked out for: the schedule's rules, today, and the
/// clinic's time zone, in which a message's or link's time becomes a day.
public struct FollowUpDay: Sendable {
    public let rules: RegistryConfig.FollowUp
    public let today: CalendarDate
    public let timeZone: TimeZone

    public init(rules: RegistryConfig.FollowUp, today: CalendarDate, timeZone: TimeZone) {
        self.rules = rules
        self.today = today
        self.timeZone = timeZone
    }

    public init(_ config: RegistryConfig, now: Date) {
        self.init(rules: config.followUp, today: config.today(now: now), timeZone: config.clinicTimeZone)
    }
}

/// Counts asked-for, answered and closed follow-ups as courses stream past, from each course's
/// schedule on the report's day and the times it asked the patient (`CourseHistory.asks`), each
/// dated on the clinic's calendar.
struct FollowUpCompleteness: Sendable {
    let rules: RegistryConfig.FollowUp
    let today: CalendarDate
    let timeZone: TimeZone
    private var milestones: [String: Counts] = [:]
    private var sites: [UUID: Counts] = [:]
    private var channels: [String: Counts] = [:]

    init(_ day: FollowUpDay) {
        rules = day.rules
        today = day.today
        timeZone = day.timeZone
    }

    /// A follow-up's tally, one of each `Completeness` figure.
    struct Counts: Sendable {
        var closed = 0, answered = 0, invited = 0, afterInvitation = 0, afterReminder = 0, fromClinicLink = 0, byClinician = 0
        var neverAsked = 0, invitedAnswered = 0

        mutating func add(_ other: Counts) {
            closed += other.closed
            answered += other.answered
            invited += other.invited
            afterInvitation += other.afterInvitation
            afterReminder += other.afterReminder
            fromClinicLink += other.fromClinicLink
            byClinician += other.byClinician
            neverAsked += other.neverAsked
            invitedAnswered += other.invitedAnswered
        }

        func completeness(_ key: String) -> OutcomeReport.Completeness {
            OutcomeReport.Completeness(
                key: key, answered: Proportion(answered, of: closed), invited: Proportion(invited, of: closed),
                answeredAfterInvitation: Proportion(afterInvitation, of: closed), answeredAfterReminder: Proportion(afterReminder, of: closed),
                answeredFromClinicLink: Proportion(fromClinicLink, of: closed), answeredByClinician: Proportion(byClinician, of: closed),
                neverAsked: Proportion(neverAsked, of: closed), answeredOfInvited: Proportion(invitedAnswered, of: invited))
        }
    }

    mutating func add(_ history: CourseHistory) {
        let schedule = FollowUpSchedule(history, rules: rules, today: today)
        for followUp in schedule.followUps where followUp.state == .answered || followUp.state == .missed {
            let (counts, channel) = tally(followUp, since: schedule.lastSessionOn, asks: history.asks)
            milestones[followUp.label, default: Counts()].add(counts)
            sites[history.siteId, default: Counts()].add(counts)
            channels[channel?.rawValue ?? "none", default: Counts()].add(counts)
        }
    }

    /// One closed follow-up: how it was asked for and answered, and the invitation's channel.
    /// Messages count when sent by the day the window closed. A link the clinic made counts when
    /// it worked on some day of the window (made by its close, no more than `linkDays` before it
    /// opened) and was made on or after the session the follow-up counts from. An answer and a
    /// message on the same day count as the answer coming after it.
    private func tally(
        _ followUp: FollowUpSchedule.FollowUp, since session: CalendarDate?, asks: [CourseHistory.Ask]
    ) -> (Counts, ContactChannel?) {
        var invitation: (on: CalendarDate, channel: ContactChannel)?
        var firstReminder: CalendarDate?
        var linkMade = false
        for ask in asks {
            let on = CalendarDate(ask.at, in: timeZone)
            guard on <= followUp.closesOn else { continue }
            switch ask.kind {
            case .message(let dueOn, let number, let channel) where dueOn == followUp.dueOn:
                if number == 0 { invitation = (on, channel) } else { firstReminder = min(firstReminder ?? on, on) }
            case .message: continue
            case .link: linkMade = linkMade || (on.adding(days: rules.linkDays) >= followUp.opensOn && session.map { on >= $0 } ?? false)
            }
        }
        var counts = Counts(closed: 1)
        counts.invited = invitation == nil ? 0 : 1
        if let answeredOn = followUp.answeredOn {
            counts.answered = 1
            counts.invitedAnswered = counts.invited
            if followUp.answeredBy == .clinician {
                counts.byClinician = 1
            } else if let firstReminder, firstReminder <= answeredOn {
                counts.afterReminder = 1
            } else if let invitation, invitation.on <= answeredOn {
                counts.afterInvitation = 1
            } else {
                counts.fromClinicLink = 1
            }
        } else if invitation == nil && !linkMade {
            counts.neverAsked = 1
        }
        return (counts, invitation?.channel)
    }

    var report: OutcomeReport.FollowUpReport {
        OutcomeReport.FollowUpReport(
            milestones: rules.milestones.map { (milestones[$0.label] ?? Counts()).completeness($0.label) },
            sites: sites.sorted { $0.key.uuidString < $1.key.uuidString }.map { $0.value.completeness($0.key.uuidString.lowercased()) },
            channels: (ContactChannel.allCases.map(\.rawValue) + ["none"]).compactMap { key in channels[key].map { $0.completeness(key) } })
    }
}
