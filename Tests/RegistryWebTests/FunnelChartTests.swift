import Foundation
import RegistryAnalytics
import Testing

@testable import RegistryWeb

/// The funnel plot read back from its SVG: each provider where its n and share put it, the target
/// line at θ₀, and the limit curves through the exact limits of CLINICAL.md's reference values.
@Suite struct FunnelChartTests {
    let points: [FunnelChart.Point] = [
        .init(label: "Dr A", precision: 100, value: 0.63, verdict: .within),
        .init(label: "Dr B", precision: 20, value: 0.9, verdict: .above95),
        .init(label: "Dr C", precision: 4, value: 0.25, verdict: .tooFew),
    ]
    let limits = (1...100).map { FunnelLimits.binomial(target: 0.5, n: $0) }

    var svg: String {
        FunnelChart.svg(points, limits: limits, widened: nil, target: 0.5, ratio: false, label: "response", xTitle: "n", yTitle: "share")
    }
    var frame: ChartFrame { FunnelChart.frame(points, limits: limits, ratio: false) }

    @Test func eachProviderSitsAtItsPrecisionAndShareWithItsLabel() throws {
        let circles = svg.matches(
            of: try Regex("<circle class=\"provider verdict-([a-z_0-9-]+)\" cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"[^>]*data-label=\"([^\"]+)\""))
        #expect(circles.count == 3)
        for (circle, point) in zip(circles, points) {
            #expect(abs(frame.xValue(Double(circle[2].substring!)!) - point.precision) < 0.05)
            #expect(abs(frame.yValue(Double(circle[3].substring!)!) - point.value) < 0.0005)
            #expect(String(circle[4].substring!) == point.label)
            #expect(String(circle[1].substring!) == point.verdict.rawValue.replacingOccurrences(of: ".", with: "-"))
        }
        #expect(svg.contains(">Dr B</text>"))
    }

    @Test func theTargetAndTheLimitCurvesAreWhereTheLimitsSay() throws {
        let target = try #require(svg.firstMatch(of: try Regex("<line class=\"target\"[^>]* y1=\"([0-9.]+)\""))?[1].substring)
        #expect(abs(frame.yValue(Double(target)!) - 0.5) < 0.0005)
        let paths = svg.matches(of: try Regex("<path class=\"limit limit-95\" d=\"([^\"]+)\"")).map { String($0[1].substring!) }
        #expect(paths.count == 2)
        // The last vertex of the upper 95% curve is at n = 100: 0.5932 (CLINICAL.md).
        let last = try #require(
            paths[1].split(separator: "L").last?.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) })
        #expect(abs(frame.xValue(last[0]) - 100) < 0.05 && abs(frame.yValue(last[1]) - 0.5932) < 0.0005)
        #expect(svg.matches(of: try Regex("class=\"limit limit-998\"")).count == 2)
    }
}
