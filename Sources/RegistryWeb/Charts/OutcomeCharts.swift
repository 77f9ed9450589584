import Foundation
import RegistryAnalytics

/// The dashboard's other charts, from the outcome report as it is: nothing here computes a
/// statistic, so the pictures and the JSON report cannot disagree.
public enum OutcomeCharts {
    /// Cumulative response (1 − S on the session scale) by session number, with its 95% band and
    /// the numbers at risk under the axis. From the first session with fewer than `minimumAtRisk`
    /// courses at risk the curve is drawn thin and grey, without its band: a step there is a few
    /// courses, not an estimate to read.
    public static func cumulativeResponse(
        _ steps: [OutcomeReport.SessionStep], minimumAtRisk: Int, label: String, xTitle: String, yTitle: String, atRiskTitle: String
    ) -> String {
        let estimable = steps.filter { $0.cumulative != nil }
        let last = Double(max(steps.last?.session ?? 1, 1))
        let frame = SurvivalChart.layout(ChartFrame(xMax: last), series: 1)
        var parts = frame.open(
            label: label, xTicks: (0...Int(last)).map(Double.init), yTicks: [0, 0.25, 0.5, 0.75, 1], xTitle: xTitle, yTitle: yTitle,
            yFormat: { String(format: "%.0f%%", $0 * 100) })
        let readable = estimable.prefix { $0.atRisk >= minimumAtRisk }
        let band =
            [(x: 0.0, lower: 0.0, upper: 0.0)]
            + readable.compactMap { step in
                step.lower.flatMap { lower in step.upper.map { (Double(step.session), lower, $0) } }
            }
        if let path = ChartPaths.stepBand(band, end: Double(readable.last?.session ?? 0), frame) {
            parts.append("<path class=\"band series-1\" d=\"\(path)\"/>")
        }
        let points = [(x: 0.0, y: 0.0)] + estimable.map { (Double($0.session), $0.cumulative!) }
        let solid = points.prefix(readable.count + 1)
        parts.append("<path class=\"curve series-1\" d=\"\(ChartPaths.steps(Array(solid), frame))\"/>")
        if points.count > solid.count {
            parts.append("<path class=\"curve few-at-risk\" d=\"\(ChartPaths.steps(Array(points[(solid.count - 1)...]), frame))\"/>")
        }
        let tableTop = frame.plotBottom + 44 + SurvivalChart.rowHeight
        parts.append("<text x=\"4\" y=\"\(ChartFrame.f(tableTop))\" class=\"axis-label\">\(escape(atRiskTitle))</text>")
        let y = ChartFrame.f(tableTop + SurvivalChart.rowHeight)
        for step in steps {
            parts.append(
                "<text class=\"at-risk\" data-session=\"\(step.session)\" x=\"\(ChartFrame.f(frame.x(Double(step.session))))\" y=\"\(y)\" "
                    + "text-anchor=\"middle\">\(step.atRisk)</text>"
            )
        }
        parts.append("</svg>")
        return parts.joined()
    }

    /// Median NRS by week since the first session: a panel per cohort (small multiples, two to a
    /// row, the same scales), each with its median as a line with a dot per week and its quartiles
    /// as a pale band, so no band hides another.
    public static func nrsByWeek(
        _ cohorts: [(label: String, weeks: [OutcomeReport.WeekSummary])], label: String, xTitle: String, yTitle: String
    ) -> String {
        let lastWeek = Double(max(cohorts.flatMap { $0.weeks.map(\.week) }.max() ?? 1, 1))
        let frame = nrsPanel(xMax: lastWeek, panels: cohorts.count)
        let columns = cohorts.count > 1 ? 2 : 1, rows = max((cohorts.count + columns - 1) / columns, 1)
        var parts = [ChartFrame.svg(label: label, width: frame.width * Double(columns), height: frame.height * Double(rows))]
        for (index, cohort) in cohorts.enumerated() {
            let weeks = cohort.weeks.filter { $0.median != nil }
            let group = "series-\(index + 1)"
            let (x, y) = (frame.width * Double(index % columns), frame.height * Double(index / columns))
            parts.append("<g class=\"panel\" data-label=\"\(escape(cohort.label))\" transform=\"translate(\(ChartFrame.f(x)) \(ChartFrame.f(y)))\">")
            parts.append(
                "<line class=\"curve \(group)\" x1=\"\(ChartFrame.f(frame.left))\" x2=\"\(ChartFrame.f(frame.left + 18))\" y1=\"12\" y2=\"12\"/>"
                    + "<text class=\"legend\" x=\"\(ChartFrame.f(frame.left + 24))\" y=\"16\">\(escape(cohort.label))</text>")
            parts += frame.axes(
                xTicks: ChartFrame.ticks(upTo: lastWeek, count: 4), yTicks: [0, 5, 10], xTitle: xTitle, yTitle: yTitle,
                yFormat: { String(Int($0)) })
            if let band = ChartPaths.band(weeks.map { (Double($0.week), $0.q1 ?? $0.median!, $0.q3 ?? $0.median!) }, frame) {
                parts.append("<path class=\"band quartiles \(group)\" d=\"\(band)\"/>")
            }
            if !weeks.isEmpty {
                parts.append("<path class=\"curve \(group)\" d=\"\(ChartPaths.line(weeks.map { (Double($0.week), $0.median!) }, frame))\"/>")
            }
            for week in weeks {
                parts.append(
                    "<circle class=\"median \(group)\" data-week=\"\(week.week)\" cx=\"\(ChartFrame.f(frame.x(Double(week.week))))\" "
                        + "cy=\"\(ChartFrame.f(frame.y(week.median!)))\" r=\"2.5\"><title>\(week.week): \(week.median!) (n = "
                        + "\(week.n))</title></circle>"
                )
            }
            parts.append("</g>")
        }
        parts.append("</svg>")
        return parts.joined()
    }

    /// One panel of `nrsByWeek`: the whole width for a single cohort, half of it for more.
    public static func nrsPanel(xMax: Double, panels: Int) -> ChartFrame {
        var frame = ChartFrame(xMax: xMax, yMax: 10, height: 200)
        frame.top = 28
        if panels > 1 {
            frame.width = 320
            frame.left = 40
        }
        return frame
    }

    /// How many courses improved at each session number (the responders' sessions-to-improvement).
    public static func distribution(_ steps: [OutcomeReport.SessionStep], label: String, xTitle: String, yTitle: String) -> String {
        let counts = steps.enumerated().map { index, step in (step.session, step.improved - (index == 0 ? 0 : steps[index - 1].improved)) }
        let highest = Double(max(counts.map(\.1).max() ?? 1, 1))
        let frame = ChartFrame(xMax: Double(max(counts.count, 1)), yMax: highest)
        var parts = frame.open(
            label: label, xTicks: [], yTicks: ChartFrame.ticks(upTo: highest, count: 4), xTitle: xTitle, yTitle: yTitle,
            yFormat: { String(Int($0)) })
        let slot = frame.plotWidth / Double(max(counts.count, 1))
        for (index, (session, count)) in counts.enumerated() {
            let x = frame.left + slot * Double(index) + slot * 0.15
            parts.append(
                "<rect class=\"bar series-1\" data-session=\"\(session)\" data-count=\"\(count)\" x=\"\(ChartFrame.f(x))\" "
                    + "y=\"\(ChartFrame.f(frame.y(Double(count))))\" "
                    + "width=\"\(ChartFrame.f(slot * 0.7))\" "
                    + "height=\"\(ChartFrame.f(frame.plotBottom - frame.y(Double(count))))\"><title>\(count)</title></rect>"
            )
            parts.append(
                "<text x=\"\(ChartFrame.f(x + slot * 0.35))\" y=\"\(ChartFrame.f(frame.plotBottom + 16))\" text-anchor=\"middle\">\(session)</text>")
        }
        parts.append("</svg>")
        return parts.joined()
    }

    /// Series names in their colours, in a row above the plot (the frame leaves room: `top`).
    static func legend(_ labels: [String], _ frame: ChartFrame) -> String {
        var x = frame.left
        return labels.enumerated().map { index, label in
            defer { x += 34 + 8 * Double(label.count) }
            return "<line class=\"curve series-\(index + 1)\" x1=\"\(ChartFrame.f(x))\" x2=\"\(ChartFrame.f(x + 18))\" y1=\"10\" y2=\"10\"/>"
                + "<text class=\"legend\" x=\"\(ChartFrame.f(x + 22))\" y=\"14\">\(escape(label))</text>"
        }.joined()
    }
}
