/// The course page's pain chart as SVG: NRS (0–10, up) against days since the course started,
/// each session a dashed vertical line. Small pure functions, so tests can read the picture back.
public enum NRSChart {
    public struct Geometry: Sendable {
        public var width = 640.0, height = 236.0, left = 36.0, right = 12.0, top = 12.0, bottom = 44.0
        public init() {}
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// x of a day on an axis running from day 0 to `lastDay`.
    static func x(_ day: Int, lastDay: Int, _ g: Geometry) -> Double {
        g.left + g.plotWidth * Double(day) / Double(max(lastDay, 1))
    }

    /// y of an NRS value (10 at the top).
    static func y(_ nrs: Int, _ g: Geometry) -> Double { g.top + g.plotHeight * (1 - Double(nrs) / 10) }

    /// `scores` as (day, NRS) in date order; `sessions` as days; `label` is the chart's accessible name.
    public static func svg(
        scores: [(day: Int, nrs: Int)], sessions: [Int], label: String, daysLabel: String, geometry g: Geometry = Geometry()
    ) -> String {
        let lastDay = max(([0] + scores.map(\.day) + sessions).max() ?? 0, 7)
        func f(_ value: Double) -> String { String(Int(value.rounded())) }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(g.width)) \(f(g.height))\" role=\"img\" "
                + "aria-label=\"\(escape(label))\" class=\"chart\">"
        ]
        for nrs in stride(from: 0, through: 10, by: 2) {
            parts.append(
                "<line class=\"grid\" x1=\"\(f(g.left))\" x2=\"\(f(g.width - g.right))\" y1=\"\(f(y(nrs, g)))\" y2=\"\(f(y(nrs, g)))\"/>"
                    + "<text x=\"\(f(g.left - 6))\" y=\"\(f(y(nrs, g) + 4))\" text-anchor=\"end\">\(nrs)</text>")
        }
        let week = lastDay > 120 ? 28 : 7
        for day in stride(from: 0, through: lastDay, by: week) {
            parts.append("<text x=\"\(f(x(day, lastDay: lastDay, g)))\" y=\"\(f(g.height - 24))\" text-anchor=\"middle\">\(day)</text>")
        }
        parts.append(
            "<text x=\"\(f(g.left + g.plotWidth / 2))\" y=\"\(f(g.height - 4))\" text-anchor=\"middle\" "
                + "class=\"axis-label\">\(escape(daysLabel))</text>"
        )
        for day in sessions {
            parts.append(
                "<line class=\"session\" data-day=\"\(day)\" x1=\"\(f(x(day, lastDay: lastDay, g)))\" "
                    + "x2=\"\(f(x(day, lastDay: lastDay, g)))\" y1=\"\(f(g.top))\" y2=\"\(f(g.top + g.plotHeight))\"/>"
            )
        }
        if !scores.isEmpty {
            let points = scores.map { "\(f(x($0.day, lastDay: lastDay, g))),\(f(y($0.nrs, g)))" }
            parts.append("<polyline class=\"nrs\" points=\"\(points.joined(separator: " "))\"/>")
            for score in scores {
                parts.append(
                    "<circle class=\"nrs\" cx=\"\(f(x(score.day, lastDay: lastDay, g)))\" cy=\"\(f(y(score.nrs, g)))\" "
                        + "r=\"4\"><title>\(score.nrs)</title></circle>"
                )
            }
        }
        parts.append("</svg>")
        return parts.joined()
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
