import Foundation
import RegistryAnalytics
import Testing

@testable import RegistryWeb

/// The Kaplan–Meier chart read back from its SVG: the Freireich 6-MP curve steps at exactly the
/// reference times and survival values (CLINICAL.md), censoring ticks sit at the censored times,
/// and the at-risk table holds the reference counts.
@Suite struct SurvivalChartTests {
    static let sixMP: [SurvivalTime] = [
        (6, true), (6, true), (6, true), (6, false), (7, true), (9, false), (10, true), (10, false), (11, false),
        (13, true), (16, true), (17, false), (19, false), (20, false), (22, true), (23, true), (25, false),
        (32, false), (32, false), (34, false), (35, false),
    ].map { SurvivalTime($0.0, event: $0.1) }
    static let placebo: [SurvivalTime] = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23].map { SurvivalTime($0, event: true) }
    let base = ChartFrame(xMax: 35)
    /// The frame the curves are drawn in: the base with room for the legend and the at-risk table.
    var frame: ChartFrame { SurvivalChart.layout(base, series: 2) }

    var svg: String {
        SurvivalChart.svg(
            [.init(label: "6-MP", curve: KaplanMeier(Self.sixMP)), .init(label: "placebo", curve: KaplanMeier(Self.placebo))], frame: base,
            atRiskTimes: [0, 10, 20, 30], label: "6-MP", xTitle: "weeks", yTitle: "remission", atRiskTitle: "at risk")
    }

    /// The points a step path visits, in data units: (time, survival) after each H…V pair.
    func corners(_ svg: String, series: Int) throws -> [(time: Double, survival: Double)] {
        let path = try #require(svg.firstMatch(of: try Regex("<path class=\"curve series-\(series)\"[^>]* d=\"([^\"]+)\""))?[1].substring)
        let numbers = try Regex("H([0-9.]+) V([0-9.]+)")
        return path.matches(of: numbers).map { match in
            (frame.xValue(Double(match[1].substring!)!), frame.yValue(Double(match[2].substring!)!))
        }
    }

    @Test func theCurveStepsAtTheReferenceTimesAndValues() throws {
        let reference: [(Double, Double)] = [(6, 0.8571), (7, 0.8067), (10, 0.7529), (13, 0.6902), (16, 0.6275), (22, 0.5378), (23, 0.4482)]
        let drops = try corners(svg, series: 1).reduce(into: [(time: Double, survival: Double)]()) { kept, corner in
            if corner.survival < (kept.last?.survival ?? 1) - 1e-6 { kept.append(corner) }
        }
        #expect(drops.count == reference.count)
        for (drop, (time, survival)) in zip(drops, reference) {
            #expect(abs(drop.time - time) < 0.01 && abs(drop.survival - survival) < 0.0005, "\(drop) vs \(time), \(survival)")
        }
        // The line runs flat to the end of follow-up (35 weeks).
        #expect(abs((try corners(svg, series: 1).last?.time ?? 0) - 35) < 0.01)
        // The placebo curve reaches 0 at 23 weeks.
        #expect(try corners(svg, series: 2).last.map { abs($0.time - 23) < 0.01 && abs($0.survival) < 0.0005 } == true)
    }

    @Test func censoringTicksSitAtTheCensoredTimes() throws {
        let ticks = svg.matches(of: try Regex("<line class=\"censor series-1\" data-time=\"([0-9.]+)\" x1=\"([0-9.]+)\"")).map {
            (Double($0[1].substring!)!, frame.xValue(Double($0[2].substring!)!))
        }
        #expect(ticks.map(\.0) == [6, 9, 10, 11, 17, 19, 20, 25, 32, 34, 35])
        for (time, x) in ticks { #expect(abs(time - x) < 0.01) }
        #expect(!svg.contains("censor series-2"))  // placebo: no censoring
    }

    @Test func theAtRiskTableHoldsTheCountsAtEachTime() throws {
        let cells = svg.matches(of: try Regex("<text class=\"at-risk\" data-series=\"([12])\" data-time=\"([0-9.]+)\"[^>]*>([0-9]+)</text>")).map {
            ("\($0[1].substring!)@\(Double($0[2].substring!)!)", Int($0[3].substring!)!)
        }
        let table = Dictionary(uniqueKeysWithValues: cells)
        // 6-MP: 21 at the start, 15 just before week 10, 8 before week 20, 4 before week 30; placebo: 21, 8, 2, and 0 after S reached 0.
        #expect(table == ["1@0.0": 21, "1@10.0": 15, "1@20.0": 8, "1@30.0": 4, "2@0.0": 21, "2@10.0": 8, "2@20.0": 2, "2@30.0": 0])
    }

    /// From the first time fewer than 10 remain at risk (19 weeks: 9 of the 6-MP group) the curve
    /// goes on thin and grey, and its band stops there.
    @Test func aCurveTurnsGreyWhereFewerThanTheMinimumRemainAtRisk() throws {
        let one = SurvivalChart.layout(base, series: 1)
        let svg = SurvivalChart.svg(
            [.init(label: "6-MP", curve: KaplanMeier(Self.sixMP))], frame: base, atRiskTimes: [0, 10, 20, 30], label: "6-MP", xTitle: "weeks",
            yTitle: "remission", atRiskTitle: "at risk", minimumAtRisk: 10)
        let solid = try #require(svg.firstMatch(of: try Regex("<path class=\"curve series-1\"[^>]* d=\"([^\"]+)\""))?[1].substring)
        let lastSolid = try #require(solid.matches(of: try Regex("H([0-9.]+)")).last.flatMap { Double($0[1].substring!) })
        #expect(abs(one.xValue(lastSolid) - 17) < 0.01, "the solid curve ends at 17 weeks, the last time with 10 at risk")
        let grey = try #require(svg.firstMatch(of: try Regex("<path class=\"curve few-at-risk\" d=\"M([0-9.]+) [^\"]+\""))?[1].substring)
        #expect(abs(one.xValue(Double(grey)!) - 17) < 0.01 && svg.contains("H\(ChartFrame.f(one.x(35)))"), "the grey curve goes on from there")
        let band = try #require(svg.firstMatch(of: try Regex("<path class=\"band series-1\" d=\"([^\"]+)\""))?[1].substring)
        let bandXs = band.matches(of: try Regex("[MHL]([0-9.]+)")).compactMap { Double($0[1].substring!) }.map(one.xValue)
        #expect((bandXs.max() ?? 0) <= 19.01, "the band stops where the curve turns grey")
    }
}
