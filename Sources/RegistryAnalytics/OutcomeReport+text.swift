import Foundation

/// The outcome report as a plain-text table for a clinic manager: every figure with its n and
/// interval, the thresholds used, and the caveat that cohorts are defined by the outcome.
extension OutcomeReport {
    public var text: String {
        var lines: [String] = []
        func pct(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        func interval(_ p: Proportion) -> String {
            "\(pct(p.estimate)) (95% CI \(pct(p.lower))–\(pct(p.upper)); \(p.successes)/\(p.total))"
        }
        func number(_ value: Double?) -> String {
            guard let value else { return "–" }
            return value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
        }
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }

        lines.append("SCN outcome report")
        lines.append(
            "Courses: \(courses)   evaluable: \(evaluable)   not evaluable: "
                + (notEvaluable.isEmpty
                    ? "0"
                    : notEvaluable.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }.joined(
                        separator: ", ")))
        lines.append("Diagnostic blocks positive: \(interval(blockPositivity))")
        lines.append(
            "Response (≥\(number(thresholds.improvement.reliefPercent))% and ≥\(thresholds.improvement.minimumPointDrop) points): "
                + "\(interval(response))"
        )
        lines.append("Moderate response (≥\(number(thresholds.improvement.moderateReliefPercent))%): \(interval(moderateResponse))")
        lines.append("Non-sustained responses (lost within \(thresholds.recurrence.minimumDaysAfterImprovement) days): \(nonSustained)")
        lines.append(
            "Sessions to improvement: median \(number(sessionsToImprovement.median)), IQR "
                + "\(number(sessionsToImprovement.q1))–\(number(sessionsToImprovement.q3)) (n=\(sessionsToImprovement.n))"
        )
        lines.append("")
        lines.append("Cumulative response by session")
        for step in cumulativeResponse {
            lines.append(
                "  after \(pad(String(step.session), 2)) sessions: \(pad(pct(step.cumulative), 6)) (95% CI "
                    + "\(pct(step.lower))–\(pct(step.upper)); at risk \(step.atRisk), improved \(step.improved))"
            )
        }
        lines.append("")
        let header = [pad("cohort", 14), pad("courses", 8), pad("share of evaluable", 36), pad("sessions median (IQR)", 22)].joined(separator: " ")
        lines.append(header)
        for cohort in cohorts {
            let sessions =
                cohort.sessions.n == 0
                ? "–"
                : "\(number(cohort.sessions.median)) (\(number(cohort.sessions.q1))–\(number(cohort.sessions.q3)))"
            lines.append(
                [
                    pad(cohort.label, 14), pad(String(cohort.courses), 8), pad(cohort.shareOfEvaluable.map(interval) ?? "–", 36),
                    pad(sessions, 22),
                ].joined(separator: " "))
        }
        for cohort in cohorts {
            guard let recurrence = cohort.recurrence, recurrence.n > 0 else { continue }
            lines.append("")
            lines.append(
                "Recurrence, cohort \(cohort.label): \(recurrence.recurred) of \(recurrence.n) responders recurred "
                    + "(crude \(interval(recurrence.crude))); censored \(recurrence.censored), lost to follow-up \(recurrence.lostToFollowUp); "
                    + "median recurrence-free \(recurrence.medianDays.map { "\(number($0)) days" } ?? "not reached")")
            for milestone in recurrence.milestones {
                let free =
                    milestone.recurrenceFree.map {
                        "\(pct($0)) (95% CI \(pct(milestone.lower))–\(pct(milestone.upper)); at risk \(milestone.atRisk))"
                    }
                    ?? "not estimable (follow-up too short; at risk 0)"
                lines.append("  day \(pad(String(milestone.day), 3)): recurrence-free \(free); crude recurrence \(interval(milestone.crude))")
            }
        }
        if let comparison {
            lines.append("")
            let d = comparison.recurrenceDifference
            lines.append(
                "Cohort \(comparison.first) vs \(comparison.second), recurrence: difference \(pct(d.difference)) "
                    + "(95% CI \(pct(d.lower))–\(pct(d.upper)); n=\(d.first.total) vs \(d.second.total))")
            lines.append(
                "  Fisher's exact p = \(String(format: "%.4g", comparison.fisher.twoSided)); log-rank χ² = "
                    + "\(comparison.logRank.chiSquare.map { String(format: "%.2f", $0) } ?? "–"), "
                    + "p = \(comparison.logRank.pValue.map { String(format: "%.4g", $0) } ?? "–")"
            )
        }
        lines.append("")
        lines.append(contentsOf: whoNeedsMoreSessions.textLines(firstCohort: thresholds.cohorts.first?.label ?? "–"))
        lines.append("")
        lines.append(interpretation)
        lines.append("")
        lines.append("Methods")
        for (name, method) in methods.named { lines.append("  \(name): \(method)") }
        lines.append(
            "Thresholds: block positive ≥\(number(thresholds.block.positiveReliefPercent))% at "
                + "\(thresholds.block.assessmentWindowMinutes.minimum)–\(thresholds.block.assessmentWindowMinutes.maximum) min; "
                + "baseline ≤\(thresholds.baseline.windowDays) days before first session, ≥\(thresholds.baseline.minimumNRS); outcome scores "
                + "≥\(thresholds.outcome.minimumDaysAfterSession) days after a session; "
                + "recurrence rise ≥\(thresholds.recurrence.minimumPointRise), "
                + "confirmation \(thresholds.recurrence.requireConfirmation ? "required" : "not required"); "
                + "counted kinds \(thresholds.sessions.countedKinds.map(\.rawValue).joined(separator: ", ")).")
        return lines.joined(separator: "\n")
    }
}
