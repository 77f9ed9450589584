import Foundation
import RegistryCore

/// Derives a course's outcome from its history, exactly as CLINICAL.md defines it; every
/// threshold comes from `rules`. Entry order never matters: scores carry a date, not a time, so
/// every choice among scores of one date is made from the data alone.
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
        // The last date with a score on or before the first session day and inside the window; a
        // score taken immediately after a procedure is never a baseline.
        let candidates = history.scores.filter { $0.on <= first && $0.on >= windowStart && $0.timepoint != .postProcedure }
        guard let lastDate = candidates.map(\.on).max(), let baseline = Self.representative(candidates.filter { $0.on == lastDate }) else {
            return notEvaluable(history, .noBaseline, sessions: sessionDates.count, first: first, baseline: nil)
        }
        guard baseline.nrs >= rules.baseline.minimumNRS else {
            return notEvaluable(history, .baselineBelowMinimum, sessions: sessionDates.count, first: first, baseline: baseline)
        }

        let followUpEnd = history.events.filter { $0.kind == .otherSurgery || $0.kind == .died }.map(\.on).min()
        let outcomes = outcomeScores(history.scores, sessionDates: sessionDates, after: first, until: followUpEnd)
        let b = Double(baseline.nrs)
        func relief(_ score: CourseHistory.Score) -> Double { (b - Double(score.nrs)) / b * 100 }
        func improves(_ score: CourseHistory.Score, percent: Double) -> Bool {
            relief(score) >= percent && baseline.nrs - score.nrs >= rules.improvement.minimumPointDrop
        }
        func sessionsBefore(_ date: CalendarDate) -> Int { sessionDates.filter { $0 < date }.count }

        let moderate = outcomes.first { improves($0, percent: rules.improvement.moderateReliefPercent) }
        let evaluable = Evaluable(
            sessionCount: sessionDates.count, first: first, baseline: baseline, moderateOn: moderate?.on,
            sessionsToModerate: moderate.map { sessionsBefore($0.on) },
            characteristics: BaselineCharacteristics(history, first: first, baselineNRS: baseline.nrs))
        guard let t0Index = outcomes.firstIndex(where: { improves($0, percent: rules.improvement.reliefPercent) }) else {
            return evaluable.outcome(history, cohort: CourseOutcome.notImprovedCohort)
        }
        let t0 = outcomes[t0Index].on
        let sessions = sessionsBefore(t0)
        // Flags before t0 were superseded by the scores after them; flags after the end of
        // follow-up come from a time the course was no longer followed.
        let flags = history.events.filter { event in
            event.kind == .recurrenceObserved && event.on >= t0 && followUpEnd.map { event.on <= $0 } ?? true
        }.map(\.on)
        let later = Array(outcomes[(t0Index + 1)...])
        let loss = lossOfResponse(later, nadir: outcomes[t0Index].nrs, relief: relief, flags: flags)
        let cohort = cohort(forSessions: sessions)

        if let loss, t0.days(until: loss) < rules.recurrence.minimumDaysAfterImprovement {
            // A non-sustained response is final: the course leaves the recurrence analysis.
            return evaluable.outcome(history, cohort: cohort, improvedOn: t0, sessionsToImprovement: sessions, nonSustainedOn: loss)
        }
        if let loss {
            return evaluable.outcome(
                history, cohort: cohort, improvedOn: t0, sessionsToImprovement: sessions, recurredOn: loss,
                days: t0.days(until: loss))
        }
        // Censored at the last outcome score: the last day the course was known to be free of
        // recurrence (no outcome score lies after other surgery or death).
        return evaluable.outcome(
            history, cohort: cohort, improvedOn: t0, sessionsToImprovement: sessions,
            days: t0.days(until: outcomes.last!.on), censorReason: censorReason(history.events, after: t0))
    }

    /// One score among several of one date: "before procedure" over any other timepoint, then
    /// the highest NRS (the conservative choice).
    static func representative(_ scores: [CourseHistory.Score]) -> CourseHistory.Score? {
        scores.max(by: precedes)
    }

    /// The order in which one score of a date gives way to another: `b` wins over `a`.
    static func precedes(_ a: CourseHistory.Score, _ b: CourseHistory.Score) -> Bool {
        (a.timepoint == .preProcedure ? 1 : 0, a.nrs) < (b.timepoint == .preProcedure ? 1 : 0, b.nrs)
    }

    /// The outcome scores, one per date in date order: after the first session, not taken
    /// immediately after a procedure, not sooner than the minimum gap after the latest session
    /// before their day (a session on the same day is not "before"), and not after the end of
    /// follow-up (other surgery or death).
    func outcomeScores(
        _ scores: [CourseHistory.Score], sessionDates: [CalendarDate], after first: CalendarDate,
        until end: CalendarDate?
    ) -> [CourseHistory.Score] {
        let gap = rules.outcome.minimumDaysAfterSession
        let eligible = scores.filter { score in
            guard score.on > first, score.timepoint != .postProcedure, end.map({ score.on <= $0 }) ?? true else { return false }
            guard let latest = sessionDates.last(where: { $0 < score.on }) else { return true }
            return latest.days(until: score.on) >= gap
        }
        // In date order, each date's winner last; keep the last of each date.
        var chosen: [CourseHistory.Score] = []
        for score in eligible.sorted(by: { $0.on != $1.on ? $0.on < $1.on : Self.precedes($0, $1) }) {
            if chosen.last?.on == score.on { chosen[chosen.count - 1] = score } else { chosen.append(score) }
        }
        return chosen
    }

    /// The date response was lost (before the non-sustained split), from the outcome scores after
    /// t0 and the recurrence flags dated on or after it.
    ///
    /// Qualifying scores in a row form a run. A run is a loss, dated at its first score, when its
    /// second score confirms it or a flag falls between its first score and the next
    /// non-qualifying score (both inclusive). A flag with no open run before it dates the loss
    /// itself. The earliest loss wins, so a rise the next score refuted never dates a later one.
    func lossOfResponse(
        _ later: [CourseHistory.Score], nadir t0Score: Int, relief: (CourseHistory.Score) -> Double,
        flags: [CalendarDate]
    ) -> CalendarDate? {
        var nadir = t0Score
        let qualifying = later.map { score in
            defer { nadir = min(nadir, score.nrs) }
            return relief(score) < rules.improvement.reliefPercent && score.nrs - nadir >= rules.recurrence.minimumPointRise
        }
        var losses: [CalendarDate] = []
        var runStart: Int?
        for index in later.indices {
            if qualifying[index] {
                let start = runStart ?? index
                runStart = start
                if !rules.recurrence.requireConfirmation || index - start == 1 { losses.append(later[start].on) }
            } else if let start = runStart {
                if flags.contains(where: { later[start].on <= $0 && $0 <= later[index].on }) { losses.append(later[start].on) }
                runStart = nil
            }
        }
        if let start = runStart, flags.contains(where: { later[start].on <= $0 }) { losses.append(later[start].on) }
        for flag in flags {
            let previous = later.lastIndex { $0.on < flag }
            if previous.map({ !qualifying[$0] }) ?? true { losses.append(flag) }
        }
        return losses.min()
    }

    /// The first of death, other surgery and loss to follow-up dated after t0 (on one date, in
    /// that order), else last contact.
    func censorReason(_ events: [CourseHistory.Event], after t0: CalendarDate) -> CourseOutcome.CensorReason {
        let precedence: [CourseEventKind: (Int, CourseOutcome.CensorReason)] = [
            .died: (0, .died), .otherSurgery: (1, .otherSurgery), .lostToFollowUp: (2, .lostToFollowUp),
        ]
        let first = events.filter { $0.on > t0 }.compactMap { event in precedence[event.kind].map { (event.on, $0.0, $0.1) } }
            .min { ($0.0, $0.1) < ($1.0, $1.1) }
        return first?.2 ?? .lastContact
    }

    /// A configured cohort's label; "other" in a gap between configured cohorts; ">N" only above
    /// the highest configured maximum.
    public func cohort(forSessions sessions: Int) -> String {
        if let cohort = rules.cohorts.first(where: { $0.contains(sessions) }) { return cohort.label }
        return sessions > (rules.cohorts.map(\.maximumSessions).max() ?? 0) ? CourseOutcome.beyondCohort(rules.cohorts) : CourseOutcome.otherCohort
    }

    private func notEvaluable(
        _ history: CourseHistory, _ reason: CourseOutcome.NotEvaluable, sessions: Int, first: CalendarDate?,
        baseline: CourseHistory.Score?
    ) -> CourseOutcome {
        CourseOutcome(
            courseId: history.courseId, sessionCount: sessions, firstSessionOn: first, baseline: baseline?.nrs,
            baselineOn: baseline?.on, baselineTimepoint: baseline?.timepoint, notEvaluable: reason,
            improvedOn: nil, sessionsToImprovement: nil, moderateOn: nil, sessionsToModerate: nil, recurredOn: nil,
            nonSustainedOn: nil, daysToRecurrenceOrCensoring: nil, censorReason: nil, cohort: CourseOutcome.notEvaluableCohort,
            characteristics: first.map { BaselineCharacteristics(history, first: $0, baselineNRS: baseline?.nrs) })
    }

    /// What every evaluable course's outcome shares, whatever happened after.
    private struct Evaluable {
        let sessionCount: Int
        let first: CalendarDate
        let baseline: CourseHistory.Score
        let moderateOn: CalendarDate?
        let sessionsToModerate: Int?
        let characteristics: BaselineCharacteristics

        func outcome(
            _ history: CourseHistory, cohort: String, improvedOn: CalendarDate? = nil, sessionsToImprovement: Int? = nil,
            recurredOn: CalendarDate? = nil, nonSustainedOn: CalendarDate? = nil, days: Int? = nil,
            censorReason: CourseOutcome.CensorReason? = nil
        ) -> CourseOutcome {
            CourseOutcome(
                courseId: history.courseId, sessionCount: sessionCount, firstSessionOn: first, baseline: baseline.nrs,
                baselineOn: baseline.on, baselineTimepoint: baseline.timepoint, notEvaluable: nil, improvedOn: improvedOn,
                sessionsToImprovement: sessionsToImprovement, moderateOn: moderateOn, sessionsToModerate: sessionsToModerate,
                recurredOn: recurredOn, nonSustainedOn: nonSustainedOn, daysToRecurrenceOrCensoring: days,
                censorReason: censorReason, cohort: cohort, characteristics: characteristics)
        }
    }
}
