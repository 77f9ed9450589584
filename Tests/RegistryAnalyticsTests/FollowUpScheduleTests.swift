import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// Follow-up schedules on hand-built histories: milestones from the latest session, a new session
/// moving them, discharge ending them, and each state at the edges of its window.
@Suite struct FollowUpScheduleTests {
    let rules = RegistryConfig.FollowUp(
        milestones: [.init(label: "2 weeks", days: 14), .init(label: "6 weeks", days: 42)], windowDaysBefore: 7,
        windowDaysAfter: 14, linkDays: 30, answersPerLinkPerHour: 5, answersPerAddressPerHour: 60)
    let start = CalendarDate(iso: "2026-01-05")!

    func history(sessions: [Int], followUps: [(Int, Timepoint)] = [], events: [(Int, CourseEventKind)] = []) -> CourseHistory {
        CourseHistory(
            startedOn: start, procedures: sessions.map { .init(on: start.adding(days: $0), kind: .hydrodissection, injectate: .d5w) },
            scores: [.init(on: start, timepoint: .baseline, nrs: 8)] + followUps.map { .init(on: start.adding(days: $0.0), timepoint: $0.1, nrs: 3) },
            events: events.map { .init(on: start.adding(days: $0.0), kind: $0.1) })
    }

    func states(_ history: CourseHistory, today: Int) -> [FollowUpSchedule.State] {
        FollowUpSchedule(history, rules: rules, today: start.adding(days: today)).followUps.map(\.state)
    }

    @Test func aCourseWithoutASessionHasNoSchedule() {
        let schedule = FollowUpSchedule(history(sessions: []), rules: rules, today: start)
        #expect(schedule.followUps.isEmpty && schedule.lastSessionOn == nil && schedule.open == nil)
    }

    @Test func milestonesCountFromTheLatestSessionAndANewSessionMovesThem() {
        let one = FollowUpSchedule(history(sessions: [0]), rules: rules, today: start)
        #expect(one.followUps.map(\.dueOn) == [start.adding(days: 14), start.adding(days: 42)])
        #expect(one.followUps[0].opensOn == start.adding(days: 7) && one.followUps[0].closesOn == start.adding(days: 28))
        let two = FollowUpSchedule(history(sessions: [0, 21]), rules: rules, today: start)
        #expect(two.followUps.map(\.dueOn) == [start.adding(days: 35), start.adding(days: 63)] && two.lastSessionOn == start.adding(days: 21))
    }

    @Test func eachStateAtTheEdgesOfItsWindow() {
        let course = history(sessions: [0])  // 2 weeks: opens day 7, due day 14, closes day 28
        #expect(states(course, today: 6).first == .upcoming)
        #expect(states(course, today: 7).first == .due)
        #expect(states(course, today: 14).first == .due)
        #expect(states(course, today: 15).first == .overdue)
        #expect(states(course, today: 28).first == .overdue)
        #expect(states(course, today: 29).first == .missed)
        #expect(FollowUpSchedule(course, rules: rules, today: start.adding(days: 15)).open?.label == "2 weeks")
    }

    @Test func aFollowUpScoreInsideTheWindowAnswersItAndOthersDoNot() {
        #expect(states(history(sessions: [0], followUps: [(7, .followUp)]), today: 60) == [.answered, .missed])
        #expect(states(history(sessions: [0], followUps: [(28, .followUp)]), today: 60) == [.answered, .missed])
        #expect(states(history(sessions: [0], followUps: [(6, .followUp), (29, .followUp)]), today: 30) == [.missed, .upcoming])
        // A score taken right after a procedure, or before one, is not a follow-up answer.
        #expect(states(history(sessions: [0], followUps: [(14, .postProcedure), (15, .preProcedure)]), today: 60) == [.missed, .missed])
        let answered = FollowUpSchedule(
            history(sessions: [0], followUps: [(10, .followUp), (12, .followUp)]), rules: rules, today: start.adding(days: 60))
        #expect(answered.followUps[0].answeredOn == start.adding(days: 10))
    }

    @Test func dischargeLossSurgeryOrDeathEndTheSchedule() {
        let discharged = FollowUpSchedule(history(sessions: [0], events: [(20, .discharged)]), rules: rules, today: start.adding(days: 15))
        #expect(discharged.followUps.map(\.label) == ["2 weeks"] && discharged.endedOn == start.adding(days: 20))
        #expect(FollowUpSchedule(history(sessions: [0], events: [(3, .died)]), rules: rules, today: start).followUps.isEmpty)
        // A referral or an observed recurrence does not end it.
        #expect(
            FollowUpSchedule(history(sessions: [0], events: [(3, .referredToSurgery), (4, .recurrenceObserved)]), rules: rules, today: start)
                .followUps.count == 2)
    }
}
