import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// CLINICAL.md, "Outcome definitions": recurrence dating by runs, non-sustained response, the end
/// of follow-up and the censoring reason, each on a hand-built history (baseline 8 on day 0,
/// sessions on days 0, 21 and 42, improved with a 2 on day 35 unless said otherwise).
extension OutcomeRulesTests {
    func flag(_ offset: Int, _ kind: CourseEventKind = .recurrenceObserved) -> CourseHistory.Event { .init(on: day(offset), kind: kind) }

    @Test func aFlagAfterARiseTheNextScoreRefutedDatesTheRecurrenceItself() {
        // Day 60 rises to 6, day 90 is back to 2: that run closed unconfirmed. The flag of day 160
        // has no open run before it, so it dates the recurrence (not day 60, 100 days earlier).
        let result = outcome(course(scores: [score(35, 2), score(60, 6), score(90, 2)], events: [flag(160)]))
        #expect(result.recurredOn == day(160))
        #expect(result.daysToRecurrenceOrCensoring == 125)
    }

    @Test func aFlagConfirmsAnOpenRunDatedAtTheRunsFirstScore() {
        // The run opens on day 120 and closes at the non-qualifying score of day 200; flags from day
        // 120 to day 200 inclusive confirm it.
        for flagDay in [120, 130, 200] {
            let result = outcome(course(scores: [score(35, 2), score(120, 6), score(200, 2)], events: [flag(flagDay)]))
            #expect(result.recurredOn == day(120), "flag on day \(flagDay)")
        }
        let after = outcome(course(scores: [score(35, 2), score(120, 6), score(200, 2)], events: [flag(201)]))
        #expect(after.recurredOn == day(201))
        // A run still open at the last score is confirmed by any later flag.
        #expect(outcome(course(scores: [score(35, 2), score(120, 6)], events: [flag(300)])).recurredOn == day(120))
    }

    @Test func aRunIsConfirmedByItsSecondScoreAndAnUnconfirmedRiseIsNoRecurrence() {
        #expect(outcome(course(scores: [score(35, 2), score(120, 6), score(150, 7), score(180, 7)])).recurredOn == day(120))
        let refuted = outcome(course(scores: [score(35, 2), score(120, 6), score(150, 2), score(300, 7), score(330, 7)]))
        #expect(refuted.recurredOn == day(300))
    }

    @Test func aLossWithinThirtyDaysOfImprovementIsNonSustainedAndFinal() {
        // Lost 29 days after t0, then a confirmed recurrence later: the course stays non-sustained.
        let result = outcome(course(scores: [score(35, 2), score(64, 7), score(70, 7), score(100, 2), score(200, 7), score(230, 7)]))
        #expect(result.nonSustainedOn == day(64))
        #expect(result.recurredOn == nil && result.daysToRecurrenceOrCensoring == nil && result.censorReason == nil)
        #expect(result.responder && result.cohort == "1-2")
        // 30 days after t0 is a recurrence.
        #expect(outcome(course(scores: [score(35, 2), score(65, 7), score(70, 7)])).recurredOn == day(65))
    }

    @Test func aFlagOnTheImprovementDateIsANonSustainedResponse() {
        let result = outcome(course(scores: [score(35, 2), score(200, 2)], events: [flag(35)]))
        #expect(result.nonSustainedOn == day(35) && result.recurredOn == nil)
        // A flag before t0 was superseded by the course's later scores.
        let earlier = outcome(course(scores: [score(35, 2), score(200, 2)], events: [flag(30)]))
        #expect(earlier.nonSustainedOn == nil && earlier.recurredOn == nil && earlier.daysToRecurrenceOrCensoring == 165)
    }

    @Test func otherSurgeryEndsFollowUpSoALaterScoreCannotConfirmARecurrence() {
        let result = outcome(course(scores: [score(35, 2), score(120, 7), score(150, 7)], events: [flag(130, .otherSurgery)]))
        #expect(result.recurredOn == nil)
        // Censored at the last outcome score on or before the surgery.
        #expect(result.censorReason == .otherSurgery && result.daysToRecurrenceOrCensoring == 85)
        // Nor can a flag after it.
        let flagged = outcome(course(scores: [score(35, 2), score(120, 2)], events: [flag(130, .otherSurgery), flag(140)]))
        #expect(flagged.recurredOn == nil && flagged.daysToRecurrenceOrCensoring == 85)
        // A score on the day of the surgery is still an outcome score.
        let sameDay = outcome(course(scores: [score(35, 2), score(120, 6), score(130, 7)], events: [flag(130, .otherSurgery)]))
        #expect(sameDay.recurredOn == day(120))
    }

    @Test func deathEndsFollowUpAndScoresAfterItNeverCount() {
        // No outcome score after death: the course is censored at day 200, the last one before it.
        let result = outcome(course(scores: [score(35, 2), score(200, 2), score(300, 7), score(320, 7)], events: [flag(250, .died)]))
        #expect(result.recurredOn == nil && result.censorReason == .died && result.daysToRecurrenceOrCensoring == 165)
        // Nor can a score after death be the improvement.
        let never = outcome(course(scores: [score(100, 2)], events: [flag(60, .died)]))
        #expect(never.improvedOn == nil && never.cohort == "not improved")
    }

    @Test func theCensoringReasonIsTheFirstOfDeathOtherSurgeryAndLossAfterImprovement() {
        let sameDay = outcome(
            course(
                scores: [score(35, 2), score(200, 2)],
                events: [flag(220, .lostToFollowUp), flag(220, .otherSurgery), flag(220, .died)]))
        #expect(sameDay.censorReason == .died)
        let surgeryFirst = outcome(course(scores: [score(35, 2), score(200, 2)], events: [flag(220, .lostToFollowUp), flag(220, .otherSurgery)]))
        #expect(surgeryFirst.censorReason == .otherSurgery)
        let lostFirst = outcome(course(scores: [score(35, 2), score(200, 2)], events: [flag(60, .lostToFollowUp), flag(300, .died)]))
        #expect(lostFirst.censorReason == .lostToFollowUp && lostFirst.daysToRecurrenceOrCensoring == 165)
        // A loss-to-follow-up flag on or before t0 was superseded by the later scores.
        let superseded = outcome(course(scores: [score(35, 2), score(200, 2)], events: [flag(35, .lostToFollowUp)]))
        #expect(superseded.censorReason == .lastContact)
    }

    @Test func aResponderOutsideEveryCohortButBelowTheHighestIsOtherNeverBeyond() {
        var gapped = rules
        gapped.cohorts = [.init(label: "1", minimumSessions: 1, maximumSessions: 1), .init(label: "3-5", minimumSessions: 3, maximumSessions: 5)]
        let r = OutcomeRules(gapped)
        #expect([1, 2, 3, 5, 6].map(r.cohort(forSessions:)) == ["1", "other", "3-5", "3-5", ">5"])
        #expect(outcome(course(scores: [score(35, 2)]), rules: gapped).cohort == "other")
        #expect(CourseOutcome.cohortLabels(gapped.cohorts) == ["1", "3-5", "other", ">5", "not improved", "not evaluable"])
        #expect(!CourseOutcome.cohortLabels(rules.cohorts).contains("other"))
    }
}
