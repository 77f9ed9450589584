import Foundation
import RegistryWeb
import Testing

/// The pain chart read back from its SVG: each score where its day and NRS put it, each session
/// a line at its day.
@Suite struct NRSChartTests {
    func numbers(_ svg: String, _ pattern: String) -> [[Double]] {
        let regex = try! Regex(pattern)
        return svg.matches(of: regex).map { match in (1..<match.count).compactMap { match[$0].substring.flatMap { Double($0) } } }
    }

    @Test func scoresAndSessionsSitWhereTheirDaysAndValuesPutThem() {
        let geometry = NRSChart.Geometry()
        let svg = NRSChart.svg(scores: [(0, 8), (14, 5), (28, 2)], sessions: [0, 21], label: "Pain", daysLabel: "days", geometry: geometry)
        let circles = numbers(svg, #"<circle class="nrs" cx="(\d+)" cy="(\d+)""#)
        #expect(circles.count == 3)
        // x: 36 + 592 × day / 28; y: 12 + 180 × (1 − NRS / 10).
        #expect(circles == [[36, 48], [332, 102], [628, 156]])
        let sessions = numbers(svg, #"<line class="session" data-day="(\d+)" x1="(\d+)""#)
        #expect(sessions == [[0, 36], [21, 480]])
        #expect(svg.hasPrefix("<svg") && svg.contains("aria-label=\"Pain\"") && svg.hasSuffix("</svg>"))
    }

    @Test func anEmptyCourseStillDrawsItsAxes() {
        let svg = NRSChart.svg(scores: [], sessions: [], label: "Pain", daysLabel: "days")
        #expect(!svg.contains("<circle") && !svg.contains("<polyline") && svg.contains(">10</text>"))
    }
}
