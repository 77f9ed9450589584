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
}
