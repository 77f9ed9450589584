import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// CLINICAL.md, "Outcome definitions": choices among scores of one date are made from the data
/// alone, never from entry order. Each history is tried in every order its scores can be entered.
extension OutcomeRulesTests {
    /// Every permutation of `scores` (small lists only).
    func orders(_ scores: [CourseHistory.Score]) -> [[CourseHistory.Score]] {
        guard scores.count > 1 else { return [scores] }
        return scores.indices.flatMap { i in
            var rest = scores
            let head = rest.remove(at: i)
            return orders(rest).map { [head] + $0 }
        }
    }

    @Test func aBaselineTieIsWonByTheBeforeProcedureScoreWhateverTheEntryOrder() {
        for scores in orders([score(5, 9, .baseline), score(5, 6, .preProcedure), score(5, 10, .followUp)]) {
            let history = CourseHistory(startedOn: start, procedures: [hydro(5)], scores: scores)
            #expect(outcome(history).baseline == 6)
            #expect(outcome(history).baselineTimepoint == .preProcedure && outcome(history).baselineOn == day(5))
        }
    }

    @Test func aBaselineTieAmongEqualsIsTheHighestScore() {
        for scores in orders([score(0, 5, .baseline), score(0, 7, .followUp), score(0, 6, .baseline)]) {
            let history = CourseHistory(startedOn: start, procedures: [hydro(3)], scores: scores + [score(20, 3)])
            #expect(outcome(history).baseline == 7)
            // 3 is a 57% relief from 7: improved (from 5 it would be only 40%).
            #expect(outcome(history).improvedOn == day(20))
        }
    }

    @Test func aScoreImmediatelyAfterAProcedureIsNeverTheBaselineEvenAlone() {
        let history = CourseHistory(startedOn: start, procedures: [hydro(0)], scores: [score(0, 8, .postProcedure), score(20, 2)])
        #expect(outcome(history).notEvaluable == .noBaseline)
    }

    @Test func severalOutcomeScoresOnOneDateAreOneChosenLikeTheBaseline() {
        // Day 35 holds a 2 and a 5: the date's outcome score is 5 (37.5% relief), so day 35 is no improvement.
        for scores in orders([score(35, 2), score(35, 5)]) {
            let result = outcome(course(scores: scores + [score(70, 3)]))
            #expect(result.improvedOn == day(70))
        }
        // A before-procedure score wins its date even when lower scores were entered beside it.
        for scores in orders([score(42, 2), score(42, 6, .preProcedure), score(42, 1, .postProcedure)]) {
            #expect(outcome(course(scores: scores)).improvedOn == nil)
        }
    }

    @Test func entryOrderNeverDecidesTheNadirRunsOrConfirmation() {
        // Improved on day 35 (2). Day 120 holds 6 and 2: its outcome score is 6, which qualifies;
        // day 150 (7) confirms it, whatever order day 120's scores were entered in.
        for scores in orders([score(120, 6), score(120, 2)]) {
            let result = outcome(course(scores: [score(35, 2)] + scores + [score(150, 7)]))
            #expect(result.recurredOn == day(120))
            #expect(result.daysToRecurrenceOrCensoring == 85)
        }
        // Improved on day 35 (4). Day 60 holds 3 and 4: the date's score is 4, so the nadir stays 4
        // and 5 on days 120 and 150 is no rise of 2 (from a nadir of 3 it would be).
        for scores in orders([score(60, 3), score(60, 4)]) {
            let result = outcome(course(scores: [score(35, 4)] + scores + [score(120, 5), score(150, 5)]))
            #expect(result.recurredOn == nil)
        }
    }

    @Test func aScoreOnASessionDayReflectsOnlyTheSessionsBeforeThatDay() {
        // A follow-up score on the day of the second session (day 21, three weeks after the first)
        // is an outcome score of the first session only.
        let result = outcome(course(scores: [score(21, 3)]))
        #expect(result.improvedOn == day(21))
        #expect(result.sessionsToImprovement == 1)
        #expect(result.cohort == "1-2")
    }
}
