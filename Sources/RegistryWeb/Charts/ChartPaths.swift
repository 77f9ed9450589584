/// SVG path data for the charts' shapes, in a frame's coordinates.
enum ChartPaths {
    /// A step function through `points` (x ascending): level until the next x, then a vertical
    /// step to its y: "M x y H x V y …".
    static func steps(_ points: [(x: Double, y: Double)], _ frame: ChartFrame) -> String {
        guard let first = points.first else { return "" }
        var path = "M\(ChartFrame.f(frame.x(first.x))) \(ChartFrame.f(frame.y(first.y)))"
        for point in points.dropFirst() { path += " H\(ChartFrame.f(frame.x(point.x))) V\(ChartFrame.f(frame.y(point.y)))" }
        return path
    }

    /// A band between two step functions that step at the same x, closed: the upper steps
    /// forward, the lower ones back; flat to `end` after the last step.
    static func stepBand(_ points: [(x: Double, lower: Double, upper: Double)], end: Double, _ frame: ChartFrame) -> String? {
        guard points.count > 1 else { return nil }
        var upper: [(Double, Double)] = [(points[0].x, points[0].upper)], lower: [(Double, Double)] = [(points[0].x, points[0].lower)]
        for point in points.dropFirst() {
            upper += [(point.x, upper.last!.1), (point.x, point.upper)]
            lower += [(point.x, lower.last!.1), (point.x, point.lower)]
        }
        upper.append((end, upper.last!.1))
        lower.append((end, lower.last!.1))
        return polygon(upper + lower.reversed(), frame)
    }

    /// A straight-line band through (x, low, high), closed.
    static func band(_ points: [(x: Double, low: Double, high: Double)], _ frame: ChartFrame) -> String? {
        guard points.count > 1 else { return nil }
        return polygon(points.map { ($0.x, $0.high) } + points.reversed().map { ($0.x, $0.low) }, frame)
    }

    static func line(_ points: [(x: Double, y: Double)], _ frame: ChartFrame) -> String {
        "M" + points.map { "\(ChartFrame.f(frame.x($0.x))) \(ChartFrame.f(frame.y($0.y)))" }.joined(separator: " L")
    }

    private static func polygon(_ points: [(Double, Double)], _ frame: ChartFrame) -> String {
        "M" + points.map { "\(ChartFrame.f(frame.x($0.0))) \(ChartFrame.f(frame.y($0.1)))" }.joined(separator: " L") + " Z"
    }
}
