import Foundation
import RegistryAnalytics

/// Kaplan–Meier curves as SVG: each series a step line with its 95% band, a tick at each
/// censoring, and the numbers at risk under the time axis. The same picture prints crisply.
public enum SurvivalChart {
    public struct Series: Sendable {
        public let label: String
        public let curve: KaplanMeier
        public init(label: String, curve: KaplanMeier) {
            self.label = label
            self.curve = curve
        }
    }

    /// `atRiskTimes` are the times of the at-risk table (and the x ticks); `frame` must span
    /// them. `yTitle` is the curve's name (recurrence-free, cumulative response…).
    /// From the first step with fewer than `minimumAtRisk` at risk a curve is drawn thin and grey,
    /// without its band.
    public static func svg(
        _ series: [Series], frame: ChartFrame, atRiskTimes: [Double], label: String, xTitle: String, yTitle: String,
        atRiskTitle: String, minimumAtRisk: Int = 0
    ) -> String {
        let frame = layout(frame, series: series.count)
        var parts = frame.open(
            label: label, xTicks: atRiskTimes, yTicks: [0, 0.25, 0.5, 0.75, 1], xTitle: xTitle, yTitle: yTitle,
            yFormat: { String(format: "%.0f%%", $0 * 100) })
        for (index, one) in series.enumerated() {
            let group = "series-\(index + 1)"
            let readable = one.curve.rows.prefix { $0.atRisk >= minimumAtRisk }.count
            let end = readable < one.curve.rows.count ? one.curve.rows[readable].time : one.curve.rows.last?.time ?? 0
            if let band = ChartPaths.stepBand(Array(band(one.curve).prefix { $0.x < end || readable == one.curve.rows.count }), end: end, frame) {
                parts.append("<path class=\"band \(group)\" d=\"\(band)\"/>")
            }
            let points = steps(one.curve)
            parts.append(
                "<path class=\"curve \(group)\" data-label=\"\(escape(one.label))\" "
                    + "d=\"\(ChartPaths.steps(Array(points.prefix(readable + 1)), frame))\"/>"
            )
            if readable < one.curve.rows.count {
                parts.append("<path class=\"curve few-at-risk\" d=\"\(ChartPaths.steps(Array(points[readable...]), frame))\"/>")
            }
            for row in one.curve.rows where row.censored > 0 {
                let x = ChartFrame.f(frame.x(row.time)), y = frame.y(row.survival)
                parts.append(
                    "<line class=\"censor \(group)\" data-time=\"\(row.time)\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(ChartFrame.f(y - 5))\" "
                        + "y2=\"\(ChartFrame.f(y + 5))\"/>"
                )
            }
        }
        parts.append(OutcomeCharts.legend(series.map(\.label), frame))
        // The numbers at risk, one row per series, under the axis titles.
        let tableTop = frame.plotBottom + 44 + rowHeight
        parts.append("<text x=\"4\" y=\"\(ChartFrame.f(tableTop))\" class=\"axis-label\">\(escape(atRiskTitle))</text>")
        for (index, one) in series.enumerated() {
            let y = ChartFrame.f(tableTop + rowHeight * Double(index + 1))
            parts.append("<text x=\"4\" y=\"\(y)\" class=\"series-\(index + 1) at-risk-label\">\(escape(one.label))</text>")
            for time in atRiskTimes {
                let atRisk = one.curve.estimate(at: time).atRisk
                parts.append(
                    "<text class=\"at-risk\" data-series=\"\(index + 1)\" data-time=\"\(time)\" x=\"\(ChartFrame.f(frame.x(time)))\" "
                        + "y=\"\(y)\" text-anchor=\"middle\">\(atRisk)</text>"
                )
            }
        }
        parts.append("</svg>")
        return parts.joined()
    }

    static let rowHeight = 16.0

    /// `frame` with room for the legend above the plot and the at-risk table under it: the
    /// frame the curves are drawn in (and read back with).
    public static func layout(_ frame: ChartFrame, series: Int) -> ChartFrame {
        var frame = frame
        frame.top = max(frame.top, 28)
        frame.bottom += rowHeight * Double(series + 1)
        frame.height += rowHeight * Double(series + 1)
        return frame
    }

    /// (time, survival) where the curve steps: from (0, 1) to each row (events and censorings
    /// alike, so the line runs to the end of follow-up).
    static func steps(_ curve: KaplanMeier) -> [(x: Double, y: Double)] {
        [(0, 1)] + curve.rows.map { ($0.time, $0.survival) }
    }

    /// The 95% band over the rows where it is estimable, flat to the end of follow-up.
    static func band(_ curve: KaplanMeier) -> [(x: Double, lower: Double, upper: Double)] {
        [(0, 1, 1)] + curve.rows.compactMap { row in row.lower.flatMap { lower in row.upper.map { (row.time, lower, $0) } } }
    }
}
