import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// Follow-up response rates: how each closed follow-up was asked for and answered, on hand-built
/// histories whose counts are worked out by hand below.
extension OutcomeReportTests {
    static let responseRules = RegistryConfig.FollowUp(
        milestones: [.init(label: "2 weeks", days: 14), .init(label: "6 weeks", days: 42)], windowDaysBefore: 7,
        windowDaysAfter: 14, linkDays: 30, answersPerLinkPerHour: 5, answersPerAddressPerHour: 60)

    /// A course with one session on `start` (2 weeks: window days 7–28; 6 weeks: 35–56), its
    /// follow-up scores (day, who) and what it was asked (day, message or link).
    func asked(_ answers: [(Int, ScoreSource)], _ asks: [(Int, CourseHistory.Ask.Kind)], site: UUID) -> CourseHistory {
        let zone = TimeZone(identifier: "Asia/Taipei")!
        func noon(_ day: Int) -> Date {
            Calendar(identifier: .gregorian).date(
                from: DateComponents(timeZone: zone, year: start.year, month: start.month, day: start.day + day, hour: 12))!
        }
        return CourseHistory(
            siteId: site, startedOn: start, procedures: [.init(on: start, kind: .prp)],
            scores: [.init(on: start, timepoint: .baseline, nrs: 7)]
                + answers.map { .init(on: start.adding(days: $0.0), timepoint: .followUp, nrs: 3, source: $0.1) },
            asks: asks.map { CourseHistory.Ask(at: noon($0.0), kind: $0.1) })
    }

    @Test func responseRatesSayHowEachClosedFollowUpWasAskedForAndAnswered() throws {
        let site = UUID()
        let twoWeeks = start.adding(days: 14), sixWeeks = start.adding(days: 42)
        func message(_ due: CalendarDate, _ number: Int, _ channel: ContactChannel) -> CourseHistory.Ask.Kind {
            .message(dueOn: due, number: number, channel: channel)
        }
        var builder = OutcomeReportBuilder(
            rules: rules,
            followUp: FollowUpDay(rules: Self.responseRules, today: start.adding(days: 100), timeZone: TimeZone(identifier: "Asia/Taipei")!))
        // A: invited by LINE, answered two days later; never asked at 6 weeks.
        builder.add(asked([(9, .patient)], [(7, message(twoWeeks, 0, .line))], site: site))
        // B: invited by SMS, reminded, answered after the reminder; at 6 weeks invited by LINE and silent.
        builder.add(
            asked(
                [(16, .patient)], [(7, message(twoWeeks, 0, .sms)), (15, message(twoWeeks, 1, .sms)), (35, message(sixWeeks, 0, .line))],
                site: site))
        // C: a link handed over at the session (it works until day 30: 2 weeks only), answered from it.
        builder.add(asked([(14, .patient)], [(0, .link)], site: site))
        // D: phoned at 2 weeks; at 6 weeks a link made inside the window, unanswered.
        builder.add(asked([(14, .clinician)], [(40, .link)], site: site))
        // E: invited by LINE, silent; a message after the window closed does not count.
        builder.add(asked([], [(7, message(twoWeeks, 0, .line)), (60, message(sixWeeks, 0, .line))], site: site))
        let report = try #require(builder.report().followUp)

        func counts(_ c: OutcomeReport.Completeness) -> [Int] {
            [
                c.answered.total, c.answered.successes, c.invited.successes, c.answeredAfterInvitation.successes,
                c.answeredAfterReminder.successes, c.answeredFromClinicLink.successes, c.answeredByClinician.successes,
                c.neverAsked.successes, c.answeredOfInvited.successes, c.answeredOfInvited.total,
            ]
        }
        #expect(report.milestones.map(\.key) == ["2 weeks", "6 weeks"])
        #expect(counts(report.milestones[0]) == [5, 4, 3, 1, 1, 1, 1, 0, 2, 3])
        #expect(counts(report.milestones[1]) == [5, 0, 1, 0, 0, 0, 0, 3, 0, 1])
        #expect(report.channels.map(\.key) == ["line", "sms", "none"])
        #expect(counts(report.channels[0]) == [3, 1, 3, 1, 0, 0, 0, 0, 1, 3])
        #expect(counts(report.channels[1]) == [1, 1, 1, 0, 1, 0, 0, 0, 1, 1])
        #expect(counts(report.channels[2]) == [6, 2, 0, 0, 0, 1, 1, 3, 0, 0])
        #expect(counts(try #require(report.sites.first)) == [10, 4, 4, 1, 1, 1, 1, 3, 2, 4])
        // Wilson, as everywhere: 3 of 5 never asked at 6 weeks.
        let never = report.milestones[1].neverAsked
        #expect(abs(never.lower! - 0.2307) < 0.0001 && abs(never.upper! - 0.8824) < 0.0001)
    }

    @Test func aPatientsAnswerOnTheDayOfAReminderCountsAsAfterTheReminder() throws {
        var builder = OutcomeReportBuilder(
            rules: rules,
            followUp: FollowUpDay(rules: Self.responseRules, today: start.adding(days: 100), timeZone: TimeZone(identifier: "Asia/Taipei")!))
        let due = start.adding(days: 14)
        builder.add(
            asked(
                [(20, .patient)], [(7, .message(dueOn: due, number: 0, channel: .line)), (20, .message(dueOn: due, number: 1, channel: .line))],
                site: UUID()))
        let twoWeeks = try #require(builder.report().followUp?.milestones.first)
        #expect(twoWeeks.answeredAfterReminder.successes == 1 && twoWeeks.answeredAfterInvitation.successes == 0)
    }
}
