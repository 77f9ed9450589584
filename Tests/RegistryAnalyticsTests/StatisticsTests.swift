import Foundation
import RegistryAnalytics
import Testing

/// The reference values of CLINICAL.md, "Reference values".
@Suite struct StatisticsTests {
    func close(_ value: Double?, _ expected: Double, _ tolerance: Double = 0.0005) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= tolerance
    }

    @Test(arguments: [
        (6, 32, 0.0889, 0.3531), (81, 263, 0.2553, 0.3662), (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718), (28, 36, 0.619, 0.883), (77, 113, 0.591, 0.760),
    ])
    func wilsonIntervals(_ successes: Int, _ total: Int, _ lower: Double, _ upper: Double) {
        let p = Proportion(successes, of: total)
        #expect(close(p.lower, lower) && close(p.upper, upper), "\(p)")
    }

    @Test func anEmptyGroupHasNoEstimate() {
        #expect(Proportion(0, of: 0).estimate == nil)
    }

    @Test(arguments: [
        ((56, 70), (48, 80), 0.200, 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.600, 0.1705, 0.8090),
        ((5, 56), (0, 29), 0.0893, -0.0381, 0.1926),
    ])
    func newcombeDifferences(_ first: (Int, Int), _ second: (Int, Int), _ difference: Double, _ lower: Double, _ upper: Double) {
        let d = ProportionDifference(Proportion(first.0, of: first.1), Proportion(second.0, of: second.1))
        #expect(close(d.difference, difference) && close(d.lower, lower) && close(d.upper, upper), "\(d)")
    }

    @Test func fisherExactTests() {
        let small = FisherExact(3, 1, 1, 3)
        #expect(close(small.twoSided, 0.4857, 0.00005))
        #expect(close(small.greater, 0.2429, 0.00005))
        #expect(close(FisherExact(20, 5, 10, 15).twoSided, 0.00858, 0.000005))
    }

    @Test func typeSevenQuantiles() {
        let summary = Summary([1, 1, 2, 2, 2, 3, 3, 4, 5, 5])
        #expect(summary.median == 2.5 && summary.q1 == 2 && summary.q3 == 3.75)
        #expect(Summary([]).median == nil)
    }

    /// Freireich 6-MP trial (weeks; censored marked false).
    static let sixMP: [SurvivalTime] = [
        (6, true), (6, true), (6, true), (6, false), (7, true), (9, false), (10, true), (10, false), (11, false), (13, true), (16, true),
        (17, false), (19, false), (20, false), (22, true), (23, true), (25, false), (32, false), (32, false), (34, false), (35, false),
    ].map { SurvivalTime($0.0, event: $0.1) }
    static let placebo: [SurvivalTime] = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23].map { SurvivalTime($0, event: true) }

    @Test func kaplanMeierReproducesTheSixMPTable() throws {
        let km = KaplanMeier(Self.sixMP)
        let expected: [(Double, Int, Int, Double, Double, Double, Double)] = [
            (6, 21, 3, 0.8571, 0.0764, 0.720, 1), (7, 17, 1, 0.8067, 0.0869, 0.653, 0.996), (10, 15, 1, 0.7529, 0.0963, 0.586, 0.968),
            (13, 12, 1, 0.6902, 0.1068, 0.510, 0.935), (16, 11, 1, 0.6275, 0.1141, 0.439, 0.896), (22, 7, 1, 0.5378, 0.1282, 0.337, 0.858),
            (23, 6, 1, 0.4482, 0.1346, 0.249, 0.807),
        ]
        let eventRows = km.rows.filter { $0.events > 0 }
        #expect(eventRows.count == expected.count)
        for (row, want) in zip(eventRows, expected) {
            #expect(row.time == want.0 && row.atRisk == want.1 && row.events == want.2)
            #expect(close(row.survival, want.3, 0.00005) && close(row.standardError, want.4, 0.00005))
            #expect(close(row.lower, want.5) && close(row.upper, want.6), "\(row)")
        }
        #expect(km.median == 23)
        #expect(KaplanMeier(Self.placebo).median == 8)
        #expect(km.rows.first { $0.time == 6 }?.censored == 1)
    }

    /// CLINICAL.md: a group with no follow-up at all has nobody at risk and no estimate at every milestone, never 1 with interval 1–1.
    @Test(arguments: [0.0, 90, 180, 365])
    func aGroupWithNoFollowUpHasNoEstimateAtAnyMilestone(_ day: Double) {
        let point = KaplanMeier([]).estimate(at: day)
        #expect(point.atRisk == 0 && point.survival == nil && point.lower == nil && point.upper == nil && point.standardError == nil)
    }

    @Test func survivalAtATimeIsTheRowInForceWithTheCoursesStillFollowed() {
        let km = KaplanMeier(Self.sixMP)
        let twelve = km.estimate(at: 12)
        #expect(close(twelve.survival, 0.7529, 0.00005))
        // Followed at least 12 weeks: 13 16 17 19 20 22 23 25 32 32 34 35. The row in force (10)
        // says 15, its count just before week 10.
        #expect(twelve.atRisk == 12)
        #expect(km.estimate(at: 6).atRisk == 21 && km.estimate(at: 6.5).atRisk == 17)
        #expect(km.estimate(at: 3).survival == 1 && km.estimate(at: 3).atRisk == 21)
        #expect(km.estimate(at: 35).atRisk == 1 && km.estimate(at: 35).survival != nil)
        // Past the last follow-up with S > 0: nobody at risk, not estimable.
        let past = km.estimate(at: 36)
        #expect(past.atRisk == 0 && past.survival == nil && past.lower == nil && past.upper == nil)
        // After S reaches 0: S is 0 and nobody is at risk.
        let placebo = KaplanMeier(Self.placebo).estimate(at: 100)
        #expect(placebo.survival == 0 && placebo.atRisk == 0)
        #expect(KaplanMeier(Self.placebo).estimate(at: 23).atRisk == 1)
    }

    @Test func limitsThatReachABoundAreExactlyThatBound() {
        #expect(Proportion(20, of: 20).upper == 1)
        #expect(Proportion(0, of: 20).lower == 0)
        #expect(Proportion(1, of: 1).upper == 1 && Proportion(0, of: 1).lower == 0)
    }

    @Test func logRankReproducesTheSixMPComparison() throws {
        let test = LogRank(Self.sixMP, Self.placebo)
        #expect(test.observedFirst == 9)
        #expect(close(test.expectedFirst, 19.25, 0.005))
        #expect(close(test.chiSquare, 16.79, 0.005))
        #expect(close(test.pValue, 4.17e-5, 0.005e-5))
    }
}
