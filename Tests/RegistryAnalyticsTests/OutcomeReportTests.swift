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
            scores += [.init(on: start.adding(days: t0 + recurAfter), timepoint: .followUp, nrs: 7), .init(on: start.adding(days: t0 + recurAfter + 30), timepoint: .followUp, nrs: 7)]
        } else {
            scores.append(.init(on: start.adding(days: t0 + followed), timepoint: .followUp, nrs: 2))
        }
        return CourseHistory(siteId: site, startedOn: start, procedures: procedures, scores: scores,
                             blocks: [.init(nrsBefore: 8, nrsAfter: 2, assessedMinutesAfter: 15)])
    }

    func nonResponder(sessions: Int) -> CourseHistory {
        CourseHistory(startedOn: start, procedures: (0..<sessions).map { .init(on: start.adding(days: 21 * $0), kind: .dextrose) },
                      scores: [.init(on: start, timepoint: .baseline, nrs: 8), .init(on: start.adding(days: 21 * sessions + 10), timepoint: .followUp, nrs: 7)],
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

    @Test func histogramQuantilesMatchTypeSeven() {
        var histogram = Histogram()
        for value in [1, 1, 2, 2, 2, 3, 3, 4, 5, 5] { histogram.add(value) }
        #expect(histogram.summary == Summary([1, 1, 2, 2, 2, 3, 3, 4, 5, 5]))
    }
}
