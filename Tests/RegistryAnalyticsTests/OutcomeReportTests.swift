import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

@Suite struct OutcomeReportTests {
    let rules: ClinicalRules
    let start = CalendarDate(iso: "2025-01-06")!

    init() throws {
        rules = try defaultRules()
    }

    /// A responder after `sessions` sessions (three weeks apart) who recurs `recurAfter` days after
    /// improving, or is followed `followed` days without recurrence.
    func responder(sessions: Int, recurAfter: Int? = nil, followed: Int = 400, site: UUID = UUID(), injectate: Injectate = .d5w) -> CourseHistory {
        let procedures = (0..<sessions).map { CourseHistory.Procedure(on: start.adding(days: 21 * $0), kind: .hydrodissection, injectate: injectate) }
        let t0 = 21 * (sessions - 1) + 14
        var scores = [CourseHistory.Score(on: start, timepoint: .baseline, nrs: 8), .init(on: start.adding(days: t0), timepoint: .followUp, nrs: 2)]
        if let recurAfter {
            scores += [
                .init(on: start.adding(days: t0 + recurAfter), timepoint: .followUp, nrs: 7),
                .init(on: start.adding(days: t0 + recurAfter + 30), timepoint: .followUp, nrs: 7),
            ]
        } else {
            scores.append(.init(on: start.adding(days: t0 + followed), timepoint: .followUp, nrs: 2))
        }
        return CourseHistory(
            siteId: site, startedOn: start, procedures: procedures, scores: scores,
            blocks: [.init(nrsBefore: 8, nrsAfter: 2, assessedMinutesAfter: 15)])
    }

    func nonResponder(sessions: Int) -> CourseHistory {
        CourseHistory(
            startedOn: start, procedures: (0..<sessions).map { .init(on: start.adding(days: 21 * $0), kind: .dextrose) },
            scores: [
                .init(on: start, timepoint: .baseline, nrs: 8), .init(on: start.adding(days: 21 * sessions + 10), timepoint: .followUp, nrs: 7),
            ],
            blocks: [.init(nrsBefore: 8, nrsAfter: 6, assessedMinutesAfter: 15)])
    }

    @Test func cohortsResponseAndRecurrenceAreCountedWithTheirN() throws {
        var builder = OutcomeReportBuilder(rules: rules)
        for _ in 0..<4 { builder.add(responder(sessions: 1, recurAfter: 100)) }
        for _ in 0..<6 { builder.add(responder(sessions: 2)) }
        for _ in 0..<5 { builder.add(responder(sessions: 4, recurAfter: 200)) }
        for _ in 0..<5 { builder.add(responder(sessions: 3)) }
        builder.add(responder(sessions: 7))
        for _ in 0..<4 { builder.add(nonResponder(sessions: 3)) }
        builder.add(CourseHistory(startedOn: start, scores: [.init(on: start, timepoint: .baseline, nrs: 8)]))
        let report = builder.report()

        #expect(report.courses == 26 && report.evaluable == 25)
        #expect(report.notEvaluable == ["no_sessions": 1])
        #expect(report.response.successes == 21 && report.response.total == 25)
        #expect(report.blockPositivity.successes == 21 && report.blockPositivity.total == 25)
        let early = try #require(report.cohorts.first { $0.label == "1-2" })
        #expect(early.courses == 10 && early.sessions.median == 2)
        #expect(early.recurrence?.recurred == 4 && early.recurrence?.n == 10)
        let late = try #require(report.cohorts.first { $0.label == "3-5" })
        #expect(late.recurrence?.recurred == 5 && late.recurrence?.n == 10)
        #expect(report.cohorts.first { $0.label == ">5" }?.courses == 1)
        #expect(report.cohorts.first { $0.label == "not improved" }?.sessions.median == 3)
        // 1-2 recurred at day 100, so its 90-day milestone is recurrence-free, 180 is not.
        #expect(early.recurrence?.milestones.first { $0.day == 90 }?.recurrenceFree == 1)
        #expect(early.recurrence?.milestones.first { $0.day == 180 }?.recurrenceFree == 0.6)
        #expect(early.recurrence?.milestones.first { $0.day == 180 }?.crude.successes == 4)
        let comparison = try #require(report.comparison)
        #expect(abs((comparison.recurrenceDifference.difference ?? 0) + 0.1) < 1e-12)
        #expect(comparison.fisher.table == [[4, 6], [5, 5]])
        #expect(comparison.logRank.chiSquare != nil)
        #expect(report.interpretation.contains("associations"))
        #expect(report.cumulativeResponse.first?.improved == 4)
    }

    @Test func filtersNarrowTheCourses() {
        let site = UUID()
        var builder = OutcomeReportBuilder(rules: rules, filter: ReportFilter(siteId: site))
        builder.add(responder(sessions: 1, site: site))
        builder.add(responder(sessions: 1))
        #expect(builder.report().courses == 1)
        var byInjectate = OutcomeReportBuilder(rules: rules, filter: ReportFilter(injectate: .prp))
        byInjectate.add(responder(sessions: 1, injectate: .prp))
        byInjectate.add(responder(sessions: 1, injectate: .d5w))
        #expect(byInjectate.report().courses == 1)
        var byDate = OutcomeReportBuilder(rules: rules, filter: ReportFilter(firstSessionFrom: start.adding(days: 1)))
        byDate.add(responder(sessions: 1))
        #expect(byDate.report().courses == 0)
    }

    @Test func atRiskInTheCumulativeResponseCountsCoursesStillFollowedAtEachSession() throws {
        var builder = OutcomeReportBuilder(rules: rules)
        for _ in 0..<11 { builder.add(responder(sessions: 1)) }
        for _ in 0..<12 { builder.add(nonResponder(sessions: 3)) }
        let steps = builder.report().cumulativeResponse
        #expect(steps.map(\.session) == [1, 2, 3])
        #expect(steps.map(\.atRisk) == [23, 12, 12])
        #expect(steps.map(\.improved) == [11, 11, 11])
        #expect(abs((steps[1].cumulative ?? 0) - 11.0 / 23) < 1e-12)
    }

    @Test func atRiskAtAMilestoneCountsCoursesFollowedAtLeastThatLong() throws {
        var builder = OutcomeReportBuilder(rules: rules)
        for followed in [60, 100, 170, 200, 400] { builder.add(responder(sessions: 1, followed: followed)) }
        builder.add(responder(sessions: 1, recurAfter: 120))
        for _ in 0..<3 { builder.add(responder(sessions: 4, recurAfter: 100)) }
        let report = builder.report()
        let early = try #require(report.cohorts.first { $0.label == "1-2" }?.recurrence)
        #expect(early.milestones.map(\.atRisk) == [5, 2, 1])
        // Every 3-5 course recurred on day 100: S reaches 0, nobody is at risk after.
        let late = try #require(report.cohorts.first { $0.label == "3-5" }?.recurrence)
        #expect(late.milestones.map(\.atRisk) == [3, 0, 0])
        #expect(late.milestones.map(\.recurrenceFree) == [1, 0, 0])
        // Past the last follow-up with S > 0: not estimable.
        var short = OutcomeReportBuilder(rules: rules)
        short.add(responder(sessions: 1, followed: 60))
        let milestone = try #require(short.report().cohorts.first?.recurrence?.milestones.first)
        #expect(milestone.atRisk == 0 && milestone.recurrenceFree == nil && milestone.lower == nil)
    }

    @Test func otherIsListedOnlyAndAlwaysWhenTheCohortsLeaveAGap() throws {
        var gapped = rules
        gapped.cohorts = [.init(label: "1", minimumSessions: 1, maximumSessions: 1), .init(label: "3-5", minimumSessions: 3, maximumSessions: 5)]
        var empty = OutcomeReportBuilder(rules: gapped)
        empty.add(responder(sessions: 1))
        let other = try #require(empty.report().cohorts.first { $0.label == "other" })
        #expect(other.courses == 0 && other.shareOfEvaluable?.estimate == 0 && other.sessions.median == nil)
        #expect(other.recurrence?.n == 0 && other.recurrence?.crude.estimate == nil)
        var two = OutcomeReportBuilder(rules: gapped)
        two.add(responder(sessions: 2))
        #expect(two.report().cohorts.first { $0.label == "other" }?.courses == 1)
        #expect(two.report().cohorts.first { $0.label == ">5" }?.courses == 0)
        var plain = OutcomeReportBuilder(rules: rules)
        plain.add(responder(sessions: 2))
        #expect(plain.report().cohorts.map(\.label) == ["1-2", "3-5", ">5", "not improved", "not evaluable"])
    }

    @Test func theReportNamesTheMethodOfEveryIntervalAndTest() {
        var builder = OutcomeReportBuilder(rules: rules)
        builder.add(responder(sessions: 1))
        let report = builder.report()
        #expect(
            report.methods.proportions.contains("Wilson") && report.methods.difference.contains("Newcombe")
                && report.methods.fisher.contains("Fisher") && report.methods.survival.contains("Greenwood")
                && report.methods.logRank.contains("Log-rank") && report.methods.quantiles.contains("type 7"))
        for (_, method) in report.methods.named { #expect(report.text.contains(method)) }
    }

    @Test func histogramQuantilesMatchTypeSeven() {
        var histogram = Histogram()
        for value in [1, 1, 2, 2, 2, 3, 3, 4, 5, 5] { histogram.add(value) }
        #expect(histogram.summary == Summary([1, 1, 2, 2, 2, 3, 3, 4, 5, 5]))
    }
}
