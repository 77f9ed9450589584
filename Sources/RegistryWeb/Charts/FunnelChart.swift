import Foundation
import RegistryAnalytics

/// A funnel plot: each provider a labelled point at its precision (n, or E when adjusted), the
/// target as a horizontal line, and the 95% and 99.8% limits as curves (dashed where widened for
/// over-dispersion). Providers with too few courses are drawn hollow.
public enum FunnelChart {
    public struct Point: Sendable {
        public let label: String
        public let precision: Double
        public let value: Double
        public let verdict: FunnelVerdict
    }

    /// The frame a plot is drawn in (the tests read coordinates back through it): x to a little past
    /// the largest precision; proportions span 0–1, ratios 0 to a little above the highest point or 2.
    static func frame(_ points: [Point], limits: [FunnelLimits], ratio: Bool) -> ChartFrame {
        let xMax = max(points.map(\.precision).max() ?? 1, limits.last?.precision ?? 1)
        var frame = ChartFrame(xMax: xMax * 1.05, yMax: ratio ? max(2, (points.map(\.value).max() ?? 0) * 1.1) : 1)
        frame.top = 20
        return frame
    }

    public static func svg(
        _ points: [Point], limits: [FunnelLimits], widened: [FunnelLimits]?, target: Double, ratio: Bool,
        label: String, xTitle: String, yTitle: String
    ) -> String {
        let frame = Self.frame(points, limits: limits, ratio: ratio)
        let (xMax, yMax) = (frame.xMax / 1.05, frame.yMax)
        var parts = frame.open(
            label: label, xTicks: ChartFrame.ticks(upTo: xMax), yTicks: ChartFrame.ticks(upTo: yMax, count: 4), xTitle: xTitle,
            yTitle: yTitle, yFormat: { ratio ? String(format: "%.1f", $0) : String(format: "%.0f%%", $0 * 100) })
        func curve(_ rows: [FunnelLimits], _ side: KeyPath<FunnelLimits, Double>, _ kind: String) {
            let visible = rows.map { (x: $0.precision, y: min(max($0[keyPath: side], 0), yMax)) }
            guard visible.count > 1 else { return }
            parts.append("<path class=\"limit \(kind)\" d=\"\(ChartPaths.line(visible, frame))\"/>")
        }
        curve(limits, \.lower998, "limit-998")
        curve(limits, \.upper998, "limit-998")
        curve(limits, \.lower95, "limit-95")
        curve(limits, \.upper95, "limit-95")
        if let widened {
            curve(widened, \.lower95, "limit-widened")
            curve(widened, \.upper95, "limit-widened")
        }
        let targetY = ChartFrame.f(frame.y(ratio ? 1 : target))
        parts.append(
            "<line class=\"target\" x1=\"\(ChartFrame.f(frame.left))\" x2=\"\(ChartFrame.f(frame.width - frame.right))\" y1=\"\(targetY)\" "
                + "y2=\"\(targetY)\"/>"
        )
        for point in points {
            let (x, y) = (ChartFrame.f(frame.x(point.precision)), ChartFrame.f(frame.y(min(point.value, yMax))))
            let verdict = point.verdict.rawValue.replacingOccurrences(of: ".", with: "-"), value = String(format: "%.4f", point.value)
            parts.append(
                "<circle class=\"provider verdict-\(verdict)\" cx=\"\(x)\" cy=\"\(y)\" r=\"5\" translate=\"no\""
                    + " data-label=\"\(escape(point.label))\" data-value=\"\(value)\"><title>\(escape(point.label))</title></circle>"
            )
            // Labels of points in the right third sit to their left, inside the picture.
            let leftward = point.precision > xMax * 0.66
            parts.append(
                "<text class=\"point-label\" translate=\"no\" x=\"\(ChartFrame.f(frame.x(point.precision) + (leftward ? -7 : 7)))\" "
                    + "y=\"\(ChartFrame.f(frame.y(min(point.value, yMax)) - 6))\""
                    + "\(leftward ? " text-anchor=\"end\"" : "")>\(escape(point.label))</text>")
        }
        parts.append("</svg>")
        return parts.joined()
    }
}
