import Foundation

/// The plotting area of a chart and its two linear scales: the one place that turns data into
/// SVG coordinates, so every chart (and the tests that read charts back) agree.
public struct ChartFrame: Sendable {
    public var width = 640.0, height = 300.0, left = 48.0, right = 16.0, top = 16.0, bottom = 44.0
    /// The data range each axis spans.
    public var xMax: Double, yMin = 0.0, yMax = 1.0

    public init(xMax: Double, yMin: Double = 0, yMax: Double = 1, height: Double = 300, bottom: Double = 44) {
        self.xMax = max(xMax, 1)
        self.yMin = yMin
        self.yMax = yMax
        self.height = height
        self.bottom = bottom
    }

    public var plotWidth: Double { width - left - right }
    public var plotHeight: Double { height - top - bottom }
    public var plotBottom: Double { top + plotHeight }

    public func x(_ value: Double) -> Double { left + plotWidth * min(max(value, 0), xMax) / xMax }
    public func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - yMin) / (yMax - yMin)) }

    /// Inverse scales, for reading a chart back.
    public func xValue(_ x: Double) -> Double { (x - left) / plotWidth * xMax }
    public func yValue(_ y: Double) -> Double { yMin + (1 - (y - top) / plotHeight) * (yMax - yMin) }

    /// Coordinates as SVG text: two decimals, enough to read values back to 1e-4 of the range.
    static func f(_ value: Double) -> String { String(format: "%.2f", value) }

    /// The opening tag, horizontal grid lines with labels at `yTicks`, x labels at `xTicks` and
    /// the axis titles.
    func open(label: String, xTicks: [Double], yTicks: [Double], xTitle: String, yTitle: String, yFormat: (Double) -> String) -> [String] {
        [Self.svg(label: label, width: width, height: height)]
            + axes(xTicks: xTicks, yTicks: yTicks, xTitle: xTitle, yTitle: yTitle, yFormat: yFormat)
    }

    static func svg(label: String, width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(escape(label))\" class=\"chart\">"
    }

    /// The grid, the tick labels and the axis titles of `open`, for a panel of a larger chart too.
    func axes(xTicks: [Double], yTicks: [Double], xTitle: String, yTitle: String, yFormat: (Double) -> String) -> [String] {
        var parts: [String] = []
        for tick in yTicks {
            parts.append(
                "<line class=\"grid\" x1=\"\(Self.f(left))\" x2=\"\(Self.f(width - right))\" y1=\"\(Self.f(y(tick)))\" y2=\"\(Self.f(y(tick)))\"/>"
                    + "<text x=\"\(Self.f(left - 6))\" y=\"\(Self.f(y(tick) + 4))\" text-anchor=\"end\">\(yFormat(tick))</text>")
        }
        for tick in xTicks {
            parts.append("<text x=\"\(Self.f(x(tick)))\" y=\"\(Self.f(plotBottom + 16))\" text-anchor=\"middle\">\(Int(tick))</text>")
        }
        parts.append(
            "<text x=\"\(Self.f(left + plotWidth / 2))\" y=\"\(Self.f(plotBottom + 34))\" text-anchor=\"middle\" "
                + "class=\"axis-label\">\(escape(xTitle))</text>"
        )
        parts.append(
            "<text transform=\"translate(12 \(Self.f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" "
                + "class=\"axis-label\">\(escape(yTitle))</text>"
        )
        return parts
    }

    /// Evenly spaced ticks from 0 to `maximum`, about `count` of them, at round steps.
    static func ticks(upTo maximum: Double, count: Int = 6) -> [Double] {
        let raw = maximum / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(max(raw, 1e-9))))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: 0, through: maximum + step * 1e-9, by: step).map { $0 }
    }
}

/// Text for SVG attributes and text nodes.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
}
