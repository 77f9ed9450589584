import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// The report's "Who needs more sessions?" section on hand-built courses.
@Suite struct WhoNeedsMoreSessionsTests {
    let rules: ClinicalRules
    let start = CalendarDate(iso: "2025-01-06")!

    init() throws {
        rules = try defaultRules()
    }

    /// A course whose first session is on `start`, improving after `improveAfter` sessions (three
    /// weeks apart) or never in `sessions`, with the given characteristics.
    func course(
        improveAfter: Int?, sessions: Int = 5, chronic: Bool, adhesion: Bool?, age: Int = 50, thickness: Double = 1.5,
        injectate: Injectate = .d5w
    ) -> CourseHistory {
        let count = improveAfter ?? sessions
        let procedures = (0..<count).map { CourseHistory.Procedure(on: start.adding(days: 21 * $0), kind: .hydrodissection, injectate: injectate) }
        var scores = [CourseHistory.Score(on: start, timepoint: .baseline, nrs: 8)]
        scores.append(.init(on: start.adding(days: 21 * (count - 1) + 14), timepoint: .followUp, nrs: improveAfter == nil ? 7 : 2))
        return CourseHistory(
            startedOn: start, facts: .init(patientId: UUID(), icd10: "G57.82", ageAtStart: age, sex: nil),
            procedures: procedures, scores: scores,
            blocks: [
                .init(performedAt: Date(timeIntervalSince1970: Double(start.dayNumber * 86400)), nrsBefore: 8, nrsAfter: 2, assessedMinutesAfter: 10)
            ],
            symptomOnset: start.adding(months: chronic ? -12 : -1),
            ultrasound: adhesion.map { [.init(on: start, nerveCsaMm2: 3, fasciaThicknessMm: thickness, fasciaAdhesion: $0)] } ?? [])
    }

    func report(_ courses: [CourseHistory]) -> WhoNeedsMoreSessions {
        var builder = OutcomeReportBuilder(rules: rules)
        for course in courses { builder.add(course) }
        return builder.report().whoNeedsMoreSessions
    }

    var mixedCourses: [CourseHistory] {
        var courses: [CourseHistory] = []
        for (i, k) in [1, 1, 2, 1, 3, 2, 1, 2].enumerated() {
            courses.append(course(improveAfter: k, chronic: false, adhesion: i % 3 == 0, age: 30 + i * 5))
        }
        for (i, k) in [3, 4, 2, 5, 3, nil, 4, nil, 1].enumerated() {
            courses.append(
                course(
                    improveAfter: k, chronic: true, adhesion: i % 2 == 0 ? true : (i == 3 ? nil : false), age: 45 + i * 3,
                    thickness: 1.0 + Double(i) / 10))
        }
        return courses
    }

    @Test func eachCharacteristicComparesItsGroupsOnTheSessionScale() throws {
        let section = report(mixedCourses)
        #expect(section.courses == 17)
        let duration = try #require(section.characteristics.first { $0.key == "symptom_duration" })
        #expect(duration.groups.map(\.label) == ["<3 months", ">6 months", "missing"])
        let mild = duration.groups[0], chronic = duration.groups[1]
        #expect(mild.courses == 8 && mild.responders == 8 && chronic.courses == 9 && chronic.responders == 7)
        #expect(mild.firstCohortShare.successes == 7 && mild.firstCohortShare.total == 8)
        #expect(chronic.firstCohortShare.successes == 2 && chronic.firstCohortShare.total == 7)
        // At session 2, the chronic group still has every course but the one improved at session 1.
        #expect(chronic.cumulativeResponse.first { $0.session == 2 }?.atRisk == 8)
        // The log-rank test is the k-group test of the same session-scale data.
        let direct = LogRankTest([
            [1, 1, 2, 1, 3, 2, 1, 2].map { SurvivalTime(Double($0), event: true) },
            [3, 4, 2, 5, 3, 5, 4, 5, 1].enumerated().map { SurvivalTime(Double($1), event: ![5, 7].contains($0)) },
        ])
        #expect(duration.logRank.chiSquare == direct.chiSquare && duration.logRank.pValue == direct.pValue)
        #expect(duration.logRank.observed == direct.observed + [0])
        #expect(duration.groups[2].courses == 0 && duration.logRank.degreesOfFreedom == 1)
        // Missing is its own group, never dropped.
        let adhesion = try #require(section.characteristics.first { $0.key == "adhesion_on_ultrasound" })
        #expect(adhesion.groups.map(\.label) == ["adhesion", "no adhesion", "missing"])
        #expect(adhesion.groups.map(\.courses) == [8, 8, 1])
        #expect(section.interpretation.contains("associations in observational data"))
    }

    @Test func theCoxModelUsesCompleteCasesAndLeavesOutWhatDoesNotVary() throws {
        let model = report(mixedCourses).model
        #expect(model.completeCases == 16)
        #expect(model.constant.contains("nerve cross-sectional area, per mm²") && model.constant.contains("block relief, per 10 percentage points"))
        let terms = try #require(model.fit.terms)
        let chronic = try #require(terms.first { $0.name.hasPrefix("chronic") })
        #expect(chronic.hazardRatio < 1)
        #expect(model.fit.n == 16 && model.fit.events == 14)
        #expect(model.fit.likelihoodRatio != nil && model.fit.degreesOfFreedom == terms.count)
    }

    @Test func aGroupWithoutImprovementMakesTheModelNotEstimable() {
        var courses = mixedCourses.filter { !($0.ultrasound.first?.fasciaAdhesion ?? false) }
        courses += [course(improveAfter: nil, chronic: true, adhesion: true), course(improveAfter: nil, chronic: false, adhesion: true)]
        let fit = report(courses).model.fit
        #expect(fit.terms == nil)
        #expect(fit.notEstimable?.contains("adhesion on ultrasound = yes") == true)
    }
}
