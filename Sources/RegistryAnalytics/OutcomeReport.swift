import Foundation
import RegistryCore

/// The outcome report: response, sessions-to-improvement and recurrence per cohort,
/// and the 1–2 versus 3–5 comparison. Every figure carries its n; `thresholds` echoes the rules.
public struct OutcomeReport: Codable, Sendable {
    public let thresholds: ClinicalRules
    public let filter: ReportFilter
    public let courses: Int
    public let evaluable: Int
    public let notEvaluable: [String: Int]
    /// Responders among evaluable courses.
    public let response: Proportion
    /// The 30% ("moderate") tier among evaluable courses.
    public let moderateResponse: Proportion
    /// Responders whose response was lost within `recurrence.minimumDaysAfterImprovement`.
    public let nonSustained: Int
    public let sessionsToImprovement: Summary
    /// Share of evaluable courses improved by each session number (non-responders censored at
    /// the sessions they had).
    public let cumulativeResponse: [SessionStep]
    public let blockPositivity: Proportion
    public let cohorts: [Cohort]
    public let comparison: Comparison?
    public let interpretation: String
    /// Response per site and per clinician.
    public let breakdown: Breakdown
    /// Follow-up completeness (answered of those whose window has closed or that were answered),
    /// per milestone and per site; nil when the report was run without a follow-up schedule.
    public let followUp: FollowUpReport?
    /// Improvement by what was known before the first session (the clinic's claim, tested).
    public let whoNeedsMoreSessions: WhoNeedsMoreSessions
    /// Clinicians and branches against funnel-plot limits, unadjusted and adjusted for case mix.
    public let funnels: Funnels
    /// The statistical method behind every interval and test above.
    public let methods: Methods

    public struct SessionStep: Codable, Sendable {
        public let session: Int
        public let atRisk: Int
        public let improved: Int
        /// 1 − S at this session; nil where S is not estimable.
        public let cumulative: Double?
        public let lower: Double?
        public let upper: Double?
    }

}

extension OutcomeReport.SessionStep {
    /// Cumulative response at each session number from 1 to the last one with a course: 1 − S of
    /// the Kaplan–Meier estimate on the session scale, with the courses still at risk.
    static func steps(_ counts: SurvivalCounts) -> [OutcomeReport.SessionStep] {
        let curve = KaplanMeier(grouped: counts.grouped)
        let last = counts.grouped.last.map { Int($0.time) } ?? 0
        return last < 1
            ? []
            : (1...last).map { session in
                let point = curve.estimate(at: Double(session))
                let improved = counts.events.filter { $0.key <= session }.values.reduce(0, +)
                return OutcomeReport.SessionStep(
                    session: session, atRisk: point.atRisk, improved: improved, cumulative: point.survival.map { 1 - $0 },
                    lower: point.upper.map { 1 - $0 }, upper: point.lower.map { 1 - $0 })
            }
    }
}

extension OutcomeReport {
    public struct Cohort: Codable, Sendable {
        public let label: String
        public let courses: Int
        /// The cohort's courses among all evaluable ones; nil for the not-evaluable group.
        public let shareOfEvaluable: Proportion?
        /// For responders: sessions before improvement; for "not improved": sessions received.
        public let sessions: Summary
        public let recurrence: Recurrence?
        /// Median NRS by week since the first session, weeks with a score only.
        public let nrsByWeek: [WeekSummary]
    }

    public struct Recurrence: Codable, Sendable {
        /// Responders followed for recurrence (non-sustained responses excluded).
        public let n: Int
        public let recurred: Int
        public let censored: Int
        public let lostToFollowUp: Int
        /// Recurred among all followed responders, ignoring follow-up length.
        public let crude: Proportion
        public let kaplanMeier: KaplanMeier
        public let medianDays: Double?
        public let milestones: [Milestone]
    }

    public struct Milestone: Codable, Sendable {
        public let day: Int
        /// Courses still followed at `day` (event or censoring on or after it).
        public let atRisk: Int
        public let recurrenceFree: Double?
        public let lower: Double?
        public let upper: Double?
        /// Recurred by `day` among responders who recurred by then or were followed at least that long.
        public let crude: Proportion
    }

    public struct Comparison: Codable, Sendable {
        public let first: String
        public let second: String
        /// Crude recurrence proportion, first minus second.
        public let recurrenceDifference: ProportionDifference
        public let fisher: FisherExact
        public let logRank: LogRank
    }

    /// Names the method of each figure, so a reader can reproduce it with another tool.
    public struct Methods: Codable, Sendable {
        public var proportions = "Wilson score interval, 95% (z = 1.959964); limits that reach 0 or 1 are exactly 0 or 1"
        public var difference = "Newcombe hybrid score interval (method 10) from each group's Wilson limits"
        public var fisher =
            "Fisher's exact test, two-sided: tables with the same margins and probability ≤ the observed one (relative tolerance 1e-7)"
        public var survival =
            "Kaplan–Meier product-limit estimate; Greenwood variance; 95% interval on the log scale, S·exp(±z·√Σ d/(n(n−d))), capped at 1"
        public var atRisk =
            "At risk at a time t: courses whose event or censoring time is ≥ t; 0 past the end of follow-up, where S is not estimable "
            + "unless it reached 0"
        public var logRank = "Log-rank test, χ² with 1 degree of freedom"
        public var quantiles = "Median and quartiles: R's type 7 quantile (linear interpolation)"
        public var nrsByWeek =
            "Median NRS by week since the first session: each course's last score of the week (scores right after a procedure left out), "
            + "median and quartiles (type 7) across the cohort's courses with a score that week"
        public var followUp =
            "Follow-up completeness and response: per milestone, site and channel of the invitation, among follow-ups answered (a follow-up "
            + "score, by clinician or patient, inside the window) or whose window has closed: answered, invited, answered after the "
            + "invitation, after a reminder (on or after the day it was sent), from a link the clinic made or by a clinician, never asked, "
            + "and answered among the invited; Wilson score interval, 95%"
        public var breakdown =
            "Per site and per clinician: courses, evaluable courses and substantial response among them, Wilson score interval, 95%"
        public var cumulativeResponse =
            "Kaplan–Meier on the session scale: improvement at sessions-to-improvement, non-responders censored at the sessions they had; "
            + "cumulative response = 1 − S"
        public var crudeRecurrence = "Recurred by the milestone among responders who recurred by then or were followed at least that long"
        public var logRankGroups = "Log-rank test across k groups, (O − E)ᵀ V⁻¹ (O − E) on k − 1 degrees of freedom"
        public var cox =
            "Cox proportional-hazards model of improvement on the session scale, Efron's method for ties, Newton–Raphson; Wald 95% CI and p "
            + "per hazard ratio; likelihood-ratio test of the whole model; complete cases"

        public var funnels =
            "Funnel plots (Spiegelhalter 2005): exact binomial limits with interpolation at 95% and 99.8% around θ₀ = Σr/Σn; "
            + "case mix by logistic regression (iteratively reweighted least squares, |Δβ| < 1e-9) on the Cox model's baseline characteristics, "
            + "complete cases, O/E with exact Poisson limits; over-dispersion φ = mean z², and normal limits widened by φ when above 1; "
            + "fewer than 5 courses: too few to judge"

        public init() {}

        /// Each method with the figure it belongs to, in reading order.
        public var named: [(String, String)] {
            [
                ("proportions", proportions), ("difference", difference), ("Fisher", fisher), ("survival", survival), ("at risk", atRisk),
                ("log-rank", logRank), ("quantiles", quantiles), ("cumulative response", cumulativeResponse), ("crude recurrence", crudeRecurrence),
                ("log-rank, k groups", logRankGroups), ("Cox model", cox), ("funnel plots", funnels), ("NRS by week", nrsByWeek),
                ("by site and clinician", breakdown),
                ("follow-up completeness", followUp),
            ]
        }
    }

    public static let milestoneDays = [90, 180, 365]
    public static let interpretationText =
        "Cohorts are defined by the outcome itself (the number of sessions before improvement), "
        + "so differences between them are associations, not effects of the number of sessions."
}

/// Consumes course histories one at a time (as they stream from the database) and keeps only
/// per-cohort counts, so memory does not grow with the number of courses.
public struct OutcomeReportBuilder: Sendable {
    let rules: OutcomeRules
    let filter: ReportFilter
    private var courses = 0
    private var notEvaluable: [String: Int] = [:]
    private var responders = 0
    private var moderate = 0
    private var nonSustained = 0
    private var blocks = 0
    private var positiveBlocks = 0
    private var sessionsToImprovement = Histogram()
    private var bySession = SurvivalCounts()
    private var cohorts: [String: CohortState] = [:]
    private let firstCohort: ClinicalRules.Cohort?
    private var evaluableCourses: [EvaluableCourse] = []
    private var followUps: FollowUpCompleteness?
    private var sites: [UUID: GroupCounts] = [:]
    private var clinicians: [UUID: GroupCounts] = [:]

    struct CohortState: Sendable {
        var courses = 0
        var sessions = Histogram()
        var recurrence = SurvivalCounts()
        var lost = 0
        var nrsByWeek = NRSByWeek()
    }

    /// `followUp` (the schedule's rules and the day the report is run) adds follow-up completeness.
    public init(rules: ClinicalRules, filter: ReportFilter = ReportFilter(), followUp: FollowUpDay? = nil) {
        self.rules = OutcomeRules(rules)
        self.filter = filter
        followUps = followUp.map(FollowUpCompleteness.init)
        firstCohort = rules.cohorts.first
    }

    /// Adds one course; returns its outcome (nil when the filter leaves it out).
    @discardableResult
    public mutating func add(_ history: CourseHistory) -> CourseOutcome? {
        let history = filter.narrowed(history)
        let outcome = rules.outcome(of: history)
        guard filter.matches(history, outcome) else { return nil }
        courses += 1
        for block in history.blocks {
            blocks += 1
            let result = BlockResult(
                nrsBefore: block.nrsBefore, nrsAfter: block.nrsAfter, assessedMinutesAfter: block.assessedMinutesAfter,
                rules: rules.rules.block)
            if result.positive { positiveBlocks += 1 }
        }
        if let course = EvaluableCourse(outcome, site: history.siteId, clinician: history.clinicianId, firstCohort: firstCohort) {
            evaluableCourses.append(course)
        }
        sites[history.siteId, default: GroupCounts()].add(outcome)
        followUps?.add(history)
        clinicians[history.clinicianId, default: GroupCounts()].add(outcome)
        var state = cohorts[outcome.cohort, default: CohortState()]
        state.courses += 1
        if let first = outcome.firstSessionOn { state.nrsByWeek.add(history, firstSession: first) }
        if let reason = outcome.notEvaluable {
            notEvaluable[reason.rawValue, default: 0] += 1
        } else if let sessions = outcome.sessionsToImprovement {
            responders += 1
            sessionsToImprovement.add(sessions)
            bySession.add(sessions, event: true)
            state.sessions.add(sessions)
            if outcome.nonSustainedOn != nil {
                nonSustained += 1
            } else if let days = outcome.daysToRecurrenceOrCensoring {
                state.recurrence.add(days, event: outcome.recurredOn != nil)
                if outcome.censorReason == .lostToFollowUp { state.lost += 1 }
            }
        } else {
            bySession.add(outcome.sessionCount, event: false)
            state.sessions.add(outcome.sessionCount)
        }
        if outcome.moderateOn != nil { moderate += 1 }
        cohorts[outcome.cohort] = state
        return outcome
    }

    public func report() -> OutcomeReport {
        let evaluable = courses - notEvaluable.values.reduce(0, +)
        let labels = CourseOutcome.cohortLabels(rules.rules.cohorts)
        let cohortReports = labels.map { label in
            let state = cohorts[label] ?? CohortState()
            let isResponderCohort = label != CourseOutcome.notImprovedCohort && label != CourseOutcome.notEvaluableCohort
            return OutcomeReport.Cohort(
                label: label, courses: state.courses,
                shareOfEvaluable: label == CourseOutcome.notEvaluableCohort ? nil : Proportion(state.courses, of: evaluable),
                sessions: state.sessions.summary,
                recurrence: isResponderCohort ? recurrence(state) : nil, nrsByWeek: state.nrsByWeek.summaries)
        }
        var comparison: OutcomeReport.Comparison?
        if rules.rules.cohorts.count >= 2 {
            let (a, b) = (rules.rules.cohorts[0].label, rules.rules.cohorts[1].label)
            let first = cohorts[a]?.recurrence ?? SurvivalCounts(), second = cohorts[b]?.recurrence ?? SurvivalCounts()
            let r1 = first.events.values.reduce(0, +), r2 = second.events.values.reduce(0, +)
            comparison = OutcomeReport.Comparison(
                first: a, second: b,
                recurrenceDifference: ProportionDifference(Proportion(r1, of: first.subjects), Proportion(r2, of: second.subjects)),
                fisher: FisherExact(r1, first.subjects - r1, r2, second.subjects - r2),
                logRank: LogRank(grouped: first.grouped, second.grouped))
        }
        let steps = OutcomeReport.SessionStep.steps(bySession)
        return OutcomeReport(
            thresholds: rules.rules, filter: filter, courses: courses, evaluable: evaluable, notEvaluable: notEvaluable,
            response: Proportion(responders, of: evaluable), moderateResponse: Proportion(moderate, of: evaluable),
            nonSustained: nonSustained, sessionsToImprovement: sessionsToImprovement.summary, cumulativeResponse: steps,
            blockPositivity: Proportion(positiveBlocks, of: blocks), cohorts: cohortReports, comparison: comparison,
            interpretation: OutcomeReport.interpretationText,
            breakdown: OutcomeReport.Breakdown(sites: GroupCounts.groups(sites), clinicians: GroupCounts.groups(clinicians)),
            followUp: followUps?.report,
            whoNeedsMoreSessions: WhoNeedsMoreSessionsBuilder(courses: evaluableCourses).report(),
            funnels: FunnelsBuilder(courses: evaluableCourses).report(),
            methods: OutcomeReport.Methods())
    }

    private func recurrence(_ state: CohortState) -> OutcomeReport.Recurrence {
        let counts = state.recurrence
        let km = KaplanMeier(grouped: counts.grouped)
        let recurred = counts.events.values.reduce(0, +)
        let milestones = OutcomeReport.milestoneDays.map { day in
            let point = km.estimate(at: Double(day))
            let recurredBy = counts.events.filter { $0.key <= day }.values.reduce(0, +)
            let followedLonger =
                counts.events.filter { $0.key > day }.values.reduce(0, +) + counts.censored.filter { $0.key >= day }.values.reduce(0, +)
            return OutcomeReport.Milestone(
                day: day, atRisk: point.atRisk, recurrenceFree: point.survival, lower: point.lower, upper: point.upper,
                crude: Proportion(recurredBy, of: recurredBy + followedLonger))
        }
        return OutcomeReport.Recurrence(
            n: counts.subjects, recurred: recurred, censored: counts.subjects - recurred, lostToFollowUp: state.lost,
            crude: Proportion(recurred, of: counts.subjects), kaplanMeier: km, medianDays: km.median,
            milestones: milestones)
    }
}
