import Foundation
import RegistryCore

/// Derives a course's outcome from its history, exactly as CLINICAL.md defines it; every
/// threshold comes from `rules`.
public struct OutcomeRules: Sendable {
    public let rules: ClinicalRules

    public init(_ rules: ClinicalRules) { self.rules = rules }

    public func outcome(of history: CourseHistory) -> CourseOutcome {
        let counted = Set(rules.sessions.countedKinds)
        // Two procedures on one date are one session; blocks are never procedures.
        let sessionDates = Array(Set(history.procedures.filter { counted.contains($0.kind) }.map(\.on))).sorted()
        guard let first = sessionDates.first else {
            return notEvaluable(history, .noSessions, sessions: 0, first: nil, baseline: nil)
        }
        let windowStart = first.adding(days: -rules.baseline.windowDays)
        // The last score on or before the first session day and inside the window; a score taken
        // immediately after a procedure is not a baseline.
        let baseline = history.scores.last { $0.on <= first && $0.on >= windowStart && $0.timepoint != .postProcedure }?.nrs
        guard let baseline else { return notEvaluable(history, .noBaseline, sessions: sessionDates.count, first: first, baseline: nil) }
        guard baseline >= rules.baseline.minimumNRS else {
            return notEvaluable(history, .baselineBelowMinimum, sessions: sessionDates.count, first: first, baseline: baseline)
        }

        let outcomes = outcomeScores(history.scores, sessionDates: sessionDates, after: first)
        let b = Double(baseline)
        func relief(_ score: CourseHistory.Score) -> Double { (b - Double(score.nrs)) / b * 100 }
        func improves(_ score: CourseHistory.Score, percent: Double) -> Bool {
            relief(score) >= percent && baseline - score.nrs >= rules.improvement.minimumPointDrop
        }
        func sessionsBefore(_ date: CalendarDate) -> Int { sessionDates.filter { $0 < date }.count }

        let moderate = outcomes.first { improves($0, percent: rules.improvement.moderateReliefPercent) }
        guard let t0Index = outcomes.firstIndex(where: { improves($0, percent: rules.improvement.reliefPercent) }) else {
            return CourseOutcome(courseId: history.courseId, sessionCount: sessionDates.count, firstSessionOn: first, baseline: baseline,
                                 notEvaluable: nil, improvedOn: nil, sessionsToImprovement: nil, moderateOn: moderate?.on,
                                 sessionsToModerate: moderate.map { sessionsBefore($0.on) }, recurredOn: nil, nonSustainedOn: nil,
                                 daysToRecurrenceOrCensoring: nil, censorReason: nil, cohort: CourseOutcome.notImprovedCohort)
        }
        let t0 = outcomes[t0Index].on
        let sessions = sessionsBefore(t0)
        let loss = lossOfResponse(outcomes, from: t0Index, relief: relief, events: history.events)
        let censoring = censoringEvent(history.events, after: t0)

        var recurred: CalendarDate?
        var nonSustained: CalendarDate?
        var end: CalendarDate
        var reason: CourseOutcome.CensorReason?
        if let loss, censoring.map({ loss < $0.on }) ?? true {
            if t0.days(until: loss) < rules.recurrence.minimumDaysAfterImprovement {
                nonSustained = loss
            } else {
                recurred = loss
            }
            end = loss
        } else if let censoring {
            end = censoring.on
            reason = censoring.kind == .died ? .died : .otherSurgery
        } else {
            // Last real contact: the last outcome score, never a scheduled visit.
            end = outcomes.last!.on
            reason = history.events.contains { $0.kind == .lostToFollowUp } ? .lostToFollowUp : .lastContact
        }
        if nonSustained != nil { reason = nil }
        return CourseOutcome(courseId: history.courseId, sessionCount: sessionDates.count, firstSessionOn: first, baseline: baseline,
                             notEvaluable: nil, improvedOn: t0, sessionsToImprovement: sessions, moderateOn: moderate?.on,
                             sessionsToModerate: moderate.map { sessionsBefore($0.on) }, recurredOn: recurred, nonSustainedOn: nonSustained,
                             daysToRecurrenceOrCensoring: nonSustained == nil ? t0.days(until: end) : nil, censorReason: reason,
                             cohort: cohort(forSessions: sessions))
    }

    /// Scores that may decide improvement or recurrence: after the first session, not taken
    /// immediately after a procedure, and not sooner than the minimum gap after the latest
    /// session before their day (a session on the same day is not "before").
    func outcomeScores(_ scores: [CourseHistory.Score], sessionDates: [CalendarDate], after first: CalendarDate) -> [CourseHistory.Score] {
        let gap = rules.outcome.minimumDaysAfterSession
        let eligible = scores.filter { score in
            guard score.on > first, score.timepoint != .postProcedure else { return false }
            guard let latest = sessionDates.last(where: { $0 < score.on }) else { return true }
            return latest.days(until: score.on) >= gap
        }
        // Stable by date, so scores of one day keep the order they were recorded in.
        return eligible.enumerated().sorted { ($0.element.on, $0.offset) < ($1.element.on, $1.offset) }.map(\.element)
    }

    /// The recurrence date (before the non-sustained split): the first qualifying outcome score
    /// after t0 that is confirmed, or a clinician's flag on its own, whichever is earlier.
    func lossOfResponse(_ outcomes: [CourseHistory.Score], from t0Index: Int, relief: (CourseHistory.Score) -> Double,
                        events: [CourseHistory.Event]) -> CalendarDate? {
        let t0 = outcomes[t0Index].on
        let flag = events.filter { $0.kind == .recurrenceObserved && $0.on >= t0 }.map(\.on).min()
        var nadir = outcomes[t0Index].nrs
        var qualifying: [Bool] = []
        for score in outcomes[(t0Index + 1)...] {
            qualifying.append(relief(score) < rules.improvement.reliefPercent && score.nrs - nadir >= rules.recurrence.minimumPointRise)
            nadir = min(nadir, score.nrs)
        }
        let later = Array(outcomes[(t0Index + 1)...])
        for (index, qualifies) in qualifying.enumerated() where qualifies {
            let confirmedByNext = index + 1 < qualifying.count && qualifying[index + 1]
            let confirmedByFlag = flag.map { $0 >= later[index].on } ?? false
            if !rules.recurrence.requireConfirmation || confirmedByNext || confirmedByFlag {
                return min(later[index].on, flag ?? later[index].on)
            }
        }
        return flag
    }

    /// Surgery for another diagnosis or death after t0 ends follow-up.
    func censoringEvent(_ events: [CourseHistory.Event], after t0: CalendarDate) -> CourseHistory.Event? {
        events.filter { ($0.kind == .otherSurgery || $0.kind == .died) && $0.on >= t0 }.min { $0.on < $1.on }
    }

    public func cohort(forSessions sessions: Int) -> String {
        rules.cohorts.first { ($0.minimumSessions...$0.maximumSessions).contains(sessions) }?.label
            ?? CourseOutcome.beyondCohort(rules.cohorts)
    }

    private func notEvaluable(_ history: CourseHistory, _ reason: CourseOutcome.NotEvaluable, sessions: Int, first: CalendarDate?,
                              baseline: Int?) -> CourseOutcome {
        CourseOutcome(courseId: history.courseId, sessionCount: sessions, firstSessionOn: first, baseline: baseline, notEvaluable: reason,
                      improvedOn: nil, sessionsToImprovement: nil, moderateOn: nil, sessionsToModerate: nil, recurredOn: nil,
                      nonSustainedOn: nil, daysToRecurrenceOrCensoring: nil, censorReason: nil, cohort: CourseOutcome.notEvaluableCohort)
    }
}
