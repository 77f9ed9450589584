import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// Each operational definition of CLINICAL.md on a hand-built course history.
@Suite struct OutcomeRulesTests {
    let rules: ClinicalRules
    let start = CalendarDate(iso: "2025-01-06")!

    init() throws {
        rules = try defaultRules()
    }

    func day(_ offset: Int) -> CalendarDate { start.adding(days: offset) }
    func hydro(_ offset: Int, _ injectate: Injectate = .d5w) -> CourseHistory.Procedure {
        .init(on: day(offset), kind: .hydrodissection, injectate: injectate)
    }
    func score(_ offset: Int, _ nrs: Int, _ timepoint: Timepoint = .followUp) -> CourseHistory.Score {
        .init(on: day(offset), timepoint: timepoint, nrs: nrs)
    }
    func outcome(_ history: CourseHistory, rules: ClinicalRules? = nil) -> CourseOutcome { OutcomeRules(rules ?? self.rules).outcome(of: history) }

    /// Baseline 8 on day 0, sessions on days 0, 21, 42.
    func course(scores: [CourseHistory.Score], events: [CourseHistory.Event] = [], procedures: [CourseHistory.Procedure]? = nil) -> CourseHistory {
        CourseHistory(
            startedOn: start, procedures: procedures ?? [hydro(0), hydro(21), hydro(42)], scores: [score(0, 8, .baseline)] + scores, events: events)
    }

    @Test func aCourseWithoutBaselineIsNotEvaluable() {
        let history = CourseHistory(startedOn: start, procedures: [hydro(40)], scores: [score(0, 8, .baseline), score(60, 2)])
        #expect(outcome(history).notEvaluable == .noBaseline)  // baseline 40 days before the first session: outside the 30-day window
        #expect(outcome(history).cohort == "not evaluable")
    }

    @Test func aBaselineBelowTheMinimumIsNotEvaluable() {
        let history = CourseHistory(startedOn: start, procedures: [hydro(0)], scores: [score(0, 3, .baseline), score(30, 0)])
        #expect(outcome(history).notEvaluable == .baselineBelowMinimum)
        #expect(outcome(history).baseline == 3)
    }

    @Test func aCourseWithoutSessionsIsNotEvaluable() {
        #expect(outcome(CourseHistory(startedOn: start, scores: [score(0, 8, .baseline)])).notEvaluable == .noSessions)
    }

    @Test func aPreProcedureScoreOnTheFirstSessionDayIsTheBaseline() {
        let history = CourseHistory(
            startedOn: start, procedures: [hydro(5)], scores: [score(0, 9, .baseline), score(5, 7, .preProcedure), score(5, 1, .postProcedure)])
        #expect(outcome(history).baseline == 7)
    }

    @Test func twoProceduresOnOneDayAreOneSessionAndBlocksNeverCount() {
        let history = CourseHistory(
            startedOn: start, procedures: [hydro(0), .init(on: day(0), kind: .prp), hydro(21), .init(on: day(25), kind: .surgicalNeurolysis)],
            scores: [score(0, 8, .baseline), score(35, 3)],
            blocks: [.init(nrsBefore: 8, nrsAfter: 1, assessedMinutesAfter: 10)])
        let result = outcome(history)
        #expect(result.sessionCount == 2)
        #expect(result.sessionsToImprovement == 2)
        #expect(result.cohort == "1-2")
    }

    @Test func scoresImmediatelyAfterAProcedureNeverDecideImprovement() {
        let result = outcome(course(scores: [score(21, 2, .postProcedure), score(35, 6)]))
        #expect(result.improvedOn == nil)
        #expect(result.cohort == "not improved")
        #expect(result.sessionCount == 3)
    }

    @Test func scoresTooSoonAfterASessionAreIgnored() {
        // Day 25 is 4 days after the session of day 21: not an outcome score. Day 30 is 9 days after.
        let result = outcome(course(scores: [score(25, 2), score(30, 3)]))
        #expect(result.improvedOn == day(30))
        #expect(result.sessionsToImprovement == 2)
    }

    @Test func aPreProcedureScoreOnASessionDayReflectsTheSessionsBefore() {
        let result = outcome(course(scores: [score(42, 3, .preProcedure)]))
        #expect(result.improvedOn == day(42))
        #expect(result.sessionsToImprovement == 2)
    }

    @Test func improvementNeedsBothHalfTheBaselineAndTwoPoints() {
        let history = CourseHistory(startedOn: start, procedures: [hydro(0)], scores: [score(0, 4, .baseline), score(14, 2)])
        #expect(outcome(history).improvedOn == day(14))
        var strict = rules
        strict.improvement.minimumPointDrop = 3
        #expect(outcome(history, rules: strict).improvedOn == nil)
    }

    @Test func theModerateTierIsReportedBesideIt() {
        let result = outcome(course(scores: [score(14, 5), score(35, 3)]))
        #expect(result.moderateOn == day(14) && result.sessionsToModerate == 1)
        #expect(result.improvedOn == day(35) && result.sessionsToImprovement == 2)
    }

    @Test func recurrenceNeedsConfirmationByTheNextOutcomeScore() {
        // Improved on day 35 (nadir 2); day 120 rises to 6 but day 150 is back to 2: not a recurrence.
        let unconfirmed = outcome(course(scores: [score(35, 2), score(120, 6), score(150, 2)]))
        #expect(unconfirmed.recurredOn == nil)
        #expect(unconfirmed.censorReason == .lastContact)
        #expect(unconfirmed.daysToRecurrenceOrCensoring == 115)
        // Confirmed by day 150: the recurrence is dated at the first qualifying score.
        let confirmed = outcome(course(scores: [score(35, 2), score(120, 6), score(150, 7)]))
        #expect(confirmed.recurredOn == day(120))
        #expect(confirmed.daysToRecurrenceOrCensoring == 85)
        var lenient = rules
        lenient.recurrence.requireConfirmation = false
        #expect(outcome(course(scores: [score(35, 2), score(120, 6), score(150, 2)]), rules: lenient).recurredOn == day(120))
    }

    @Test func aClinicianFlagAloneSufficesDatedWhenRecorded() {
        let result = outcome(course(scores: [score(35, 2), score(60, 2)], events: [.init(on: day(100), kind: .recurrenceObserved)]))
        #expect(result.recurredOn == day(100))
        #expect(result.daysToRecurrenceOrCensoring == 65)
    }

    @Test func aRiseOfLessThanTwoPointsAboveTheNadirIsNoRecurrence() {
        // Nadir 1 on day 60; 4 is still below 50% of baseline 8? 4/8 = 50% relief, so not a loss either.
        let result = outcome(course(scores: [score(35, 3), score(60, 1), score(120, 5), score(150, 5)]))
        #expect(result.recurredOn == day(120))
        let small = outcome(course(scores: [score(35, 3), score(120, 4), score(150, 4)]))
        #expect(small.recurredOn == nil)
    }

    @Test func aLossWithinThirtyDaysIsNonSustainedNotARecurrence() {
        let result = outcome(course(scores: [score(35, 2), score(50, 7), score(60, 8)]))
        #expect(result.recurredOn == nil)
        #expect(result.nonSustainedOn == day(50))
        #expect(result.responder)
    }

    @Test func aResponderIsCensoredAtLastContactOrItsCensoringEvent() {
        let lost = outcome(course(scores: [score(35, 2), score(200, 2)], events: [.init(on: day(260), kind: .lostToFollowUp)]))
        #expect(lost.daysToRecurrenceOrCensoring == 165 && lost.censorReason == .lostToFollowUp)
        let died = outcome(course(scores: [score(35, 2), score(200, 2), score(300, 7), score(320, 7)], events: [.init(on: day(250), kind: .died)]))
        #expect(died.recurredOn == nil && died.censorReason == .died && died.daysToRecurrenceOrCensoring == 165)
    }

    @Test func aNewSessionAfterImprovementIsNotByItselfARecurrence() {
        let result = outcome(course(scores: [score(35, 2), score(200, 2)], procedures: [hydro(0), hydro(21), hydro(100)]))
        #expect(result.recurredOn == nil && result.sessionsToImprovement == 2)
        #expect(result.sessionCount == 3)
    }

    @Test func cohortsFollowSessionsToImprovement() {
        let r = OutcomeRules(rules)
        #expect([1, 2, 3, 5, 6, 9].map(r.cohort(forSessions:)) == ["1-2", "1-2", "3-5", "3-5", ">5", ">5"])
    }
}
