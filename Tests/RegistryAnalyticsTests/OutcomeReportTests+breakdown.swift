import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// Response by site and clinician, and median NRS by week since the first session, on
/// hand-built histories.
extension OutcomeReportTests {
    @Test func eachSiteAndClinicianHasItsOwnResponse() throws {
        let north = UUID(), south = UUID()
        var builder = OutcomeReportBuilder(rules: rules)
        for _ in 0..<3 { builder.add(responder(sessions: 1, site: north)) }
        builder.add(CourseHistory(siteId: north, startedOn: start))  // no session: not evaluable
        for _ in 0..<2 { builder.add(responder(sessions: 2, site: south)) }
        let report = builder.report()
        let sites = Dictionary(uniqueKeysWithValues: report.breakdown.sites.map { ($0.id, $0) })
        #expect(sites[north]?.courses == 4 && sites[north]?.evaluable == 3 && sites[north]?.response.successes == 3)
        #expect(sites[south]?.courses == 2 && sites[south]?.response.total == 2)
        #expect(report.breakdown.sites.first?.id == north)  // most courses first
        #expect(report.breakdown.clinicians.map(\.courses).reduce(0, +) == 6)
    }

    @Test func nrsByWeekTakesEachCoursesLastScoreOfTheWeekAndLeavesOutPostProcedureScores() throws {
        func course(_ scores: [(Int, Timepoint, Int)]) -> CourseHistory {
            CourseHistory(
                startedOn: start, procedures: [.init(on: start, kind: .hydrodissection, injectate: .d5w)],
                scores: [.init(on: start, timepoint: .baseline, nrs: 8)]
                    + scores.map { .init(on: start.adding(days: $0.0), timepoint: $0.1, nrs: $0.2) })
        }
        var builder = OutcomeReportBuilder(rules: rules)
        // Week 0: baseline 8 on day 0 but a later score 6 on day 3 wins; the post-procedure 1 on day 0 never counts.
        builder.add(course([(0, .postProcedure, 1), (3, .followUp, 6), (14, .followUp, 4)]))
        builder.add(course([(15, .followUp, 2), (16, .followUp, 3)]))
        builder.add(course([(15, .followUp, 5), (15, .followUp, 4), (20, .followUp, 9), (19, .postProcedure, 0)]))
        let cohorts = Dictionary(uniqueKeysWithValues: builder.report().cohorts.map { ($0.label, $0.nrsByWeek) })
        func week(_ cohort: String, _ number: Int) -> [Double?] {
            cohorts[cohort]?.first { $0.week == number }.map { [Double($0.n), $0.median, $0.q1, $0.q3] } ?? []
        }
        // Courses 1 and 2 improved after one session. Week 0: 6 (day 3 after the baseline), 8. Week 2: 4, and 3 (day 16 after day 15).
        #expect(week("1-2", 0) == [2, 7, 6.5, 7.5])
        #expect(week("1-2", 2) == [2, 3.5, 3.25, 3.75])
        // Course 3 did not (5 is the higher of its day-15 pair, then 9): week 2 is its day-20 score; its post-procedure 0 never counts.
        #expect(week("not improved", 2) == [1, 9, 9, 9])
    }
}

/// Scores by source, and follow-up completeness, in the report.
extension OutcomeReportTests {
    func patientAnswered() -> CourseHistory {
        CourseHistory(
            startedOn: start, procedures: [.init(on: start, kind: .hydrodissection, injectate: .d5w)],
            scores: [
                .init(on: start, timepoint: .baseline, nrs: 8), .init(on: start.adding(days: 14), timepoint: .followUp, nrs: 3, source: .patient),
            ])
    }

    @Test func aSourceFilterKeepsOnlyThatSourcesScores() {
        func report(_ source: ScoreSource?) -> OutcomeReport {
            var builder = OutcomeReportBuilder(rules: rules, filter: ReportFilter(scoreSource: source))
            builder.add(patientAnswered())
            return builder.report()
        }
        #expect(report(nil).response.successes == 1)
        #expect(report(.clinician).response.successes == 0 && report(.clinician).evaluable == 1)  // the baseline stays, the patient's 3 goes
        #expect(report(.patient).evaluable == 0 && report(.patient).notEvaluable["no_baseline"] == 1)
    }

    @Test func followUpCompletenessCountsAnsweredAmongAnsweredOrClosed() throws {
        let followUp = RegistryConfig.FollowUp(
            milestones: [.init(label: "2 weeks", days: 14), .init(label: "6 weeks", days: 42)], windowDaysBefore: 7,
            windowDaysAfter: 14, linkDays: 30, answersPerLinkPerHour: 5, answersPerAddressPerHour: 60)
        let site = UUID()
        var builder = OutcomeReportBuilder(rules: rules, followUp: FollowUpDay(rules: followUp, today: start.adding(days: 40), timeZone: .gmt))
        builder.add(patientAnswered())  // 2 weeks answered; 6 weeks not yet due (day 40 is in its window, unanswered: open)
        builder.add(
            CourseHistory(
                siteId: site, startedOn: start, procedures: [.init(on: start, kind: .prp)],
                scores: [.init(on: start, timepoint: .baseline, nrs: 7)]))  // 2 weeks missed
        let report = try #require(builder.report().followUp)
        #expect(report.milestones.map(\.key) == ["2 weeks", "6 weeks"])
        #expect(report.milestones[0].answered.successes == 1 && report.milestones[0].answered.total == 2 && report.milestones[1].answered.total == 0)
        #expect(report.sites.first { $0.key == site.uuidString.lowercased() }?.answered.total == 1)
        #expect(OutcomeReportBuilder(rules: rules).report().followUp == nil)
    }
}
