import Foundation
import RegistryAnalytics
import RegistryWeb
import Testing

/// The cumulative-response chart read back from its SVG: the numbers at risk under each session,
/// and the curve thin and grey from the first session with fewer than the minimum at risk.
@Suite struct OutcomeChartsTests {
    static let steps: [OutcomeReport.SessionStep] = {
        let json = """
            [{"session":1,"atRisk":120,"improved":30,"cumulative":0.25,"lower":0.18,"upper":0.33},
             {"session":2,"atRisk":80,"improved":60,"cumulative":0.5,"lower":0.41,"upper":0.59},
             {"session":3,"atRisk":30,"improved":80,"cumulative":0.7,"lower":0.6,"upper":0.78},
             {"session":4,"atRisk":7,"improved":84,"cumulative":0.8,"lower":0.66,"upper":0.89},
             {"session":5,"atRisk":2,"improved":86,"cumulative":1,"lower":null,"upper":null}]
            """
        return try! JSONDecoder().decode([OutcomeReport.SessionStep].self, from: Data(json.utf8))
    }()

    @Test func theCumulativeCurveShowsItsNumbersAtRiskAndTurnsGreyBelowTheMinimum() throws {
        let svg = OutcomeCharts.cumulativeResponse(
            Self.steps, minimumAtRisk: 10, label: "response", xTitle: "session", yTitle: "improved", atRiskTitle: "at risk")
        let cells = svg.matches(of: try Regex("<text class=\"at-risk\" data-session=\"([0-9]+)\"[^>]*>([0-9]+)</text>")).map {
            (Int($0[1].substring!)!, Int($0[2].substring!)!)
        }
        #expect(cells.map(\.0) == [1, 2, 3, 4, 5] && cells.map(\.1) == [120, 80, 30, 7, 2])
        let frame = SurvivalChart.layout(ChartFrame(xMax: 5), series: 1)
        let solid = try #require(svg.firstMatch(of: try Regex("<path class=\"curve series-1\" d=\"([^\"]+)\""))?[1].substring)
        let solidXs = solid.matches(of: try Regex("H([0-9.]+)")).map { frame.xValue(Double($0[1].substring!)!) }
        #expect(abs((solidXs.last ?? 0) - 3) < 0.01, "solid up to session 3, the last with 10 or more at risk")
        let grey = try #require(svg.firstMatch(of: try Regex("<path class=\"curve few-at-risk\" d=\"([^\"]+)\""))?[1].substring)
        let greyXs = grey.matches(of: try Regex("H([0-9.]+)")).map { frame.xValue(Double($0[1].substring!)!) }
        #expect(greyXs.map { ($0 * 100).rounded() / 100 } == [4, 5])
        #expect(
            !OutcomeCharts.cumulativeResponse(
                Self.steps, minimumAtRisk: 0, label: "response", xTitle: "session", yTitle: "improved", atRiskTitle: "at risk"
            ).contains("few-at-risk"))
    }

    /// Each cohort's median NRS in a panel of its own, two to a row on the same scales: read back,
    /// every dot is its week's median, in its panel.
    @Test func theMedianNRSChartDrawsAPanelPerCohortWithItsMediansOnTheSameScales() throws {
        func weeks(_ medians: [(Int, Double)]) throws -> [OutcomeReport.WeekSummary] {
            let json =
                "["
                + medians.map { "{\"week\":\($0.0),\"n\":12,\"median\":\($0.1),\"q1\":\(max($0.1 - 1, 0)),\"q3\":\($0.1 + 1)}" }
                .joined(separator: ",") + "]"
            return try JSONDecoder().decode([OutcomeReport.WeekSummary].self, from: Data(json.utf8))
        }
        let cohorts = [
            ("1-2", try weeks([(0, 7), (2, 3), (4, 1)])), ("3-5", try weeks([(0, 8), (6, 4), (12, 2)])), (">5", try weeks([(1, 6), (8, 5)])),
        ]
        let svg = OutcomeCharts.nrsByWeek(cohorts, label: "NRS", xTitle: "week", yTitle: "NRS")
        let frame = OutcomeCharts.nrsPanel(xMax: 12, panels: 3)
        #expect(svg.contains("viewBox=\"0 0 \(Int(frame.width * 2)) \(Int(frame.height * 2))\""), "two panels to a row, two rows")
        let panels = svg.matches(
            of: try Regex("<g class=\"panel\" data-label=\"([^\"]+)\" transform=\"translate\\(([0-9.]+) ([0-9.]+)\\)\">(.*?)</g>"))
        #expect(panels.map { String($0[1].substring!) } == ["1-2", "3-5", ">5"])
        for (panel, (_, expected)) in zip(panels, cohorts) {
            let dots = String(panel[4].substring!).matches(of: try Regex("data-week=\"([0-9]+)\" cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"")).map {
                (Int($0[1].substring!)!, frame.xValue(Double($0[2].substring!)!), frame.yValue(Double($0[3].substring!)!))
            }
            #expect(dots.map(\.0) == expected.map(\.week))
            for (dot, week) in zip(dots, expected) {
                #expect(abs(dot.1 - Double(week.week)) < 0.01 && abs(dot.2 - week.median!) < 0.01, "week \(week.week)")
            }
            #expect(String(panel[4].substring!).contains("band quartiles"))
        }
        #expect(
            panels.map { "\($0[2].substring!) \($0[3].substring!)" } == [
                "0.00 0.00", String(format: "%.2f 0.00", frame.width), String(format: "0.00 %.2f", frame.height),
            ])
    }
}
