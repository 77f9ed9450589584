import Foundation

/// The "Who needs more sessions?" section of the text report.
extension WhoNeedsMoreSessions {
    func textLines(firstCohort: String) -> [String] {
        func pct(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0 * 100) } ?? "–" }
        func p(_ value: Double?) -> String { value.map { String(format: "%.4g", $0) } ?? "–" }
        var lines = ["Who needs more sessions? (\(courses) evaluable courses, by what was known before the first session)"]
        for characteristic in characteristics {
            let test = characteristic.logRank
            lines.append(
                "  \(characteristic.label): log-rank χ² \(test.chiSquare.map { String(format: "%.2f", $0) } ?? "–") on "
                    + "\(test.degreesOfFreedom) df, p \(p(test.pValue))")
            for group in characteristic.groups {
                let curve = [1, 2, 3, 5].map { k in
                    "\(k): \(pct(group.cumulativeResponse.first { $0.session == k }?.cumulative))"
                }.joined(separator: "  ")
                let share = group.firstCohortShare
                lines.append(
                    "    \(group.label.padding(toLength: 16, withPad: " ", startingAt: 0)) n=\(group.courses), improved \(group.responders); "
                        + "improved by session \(curve); in cohort \(firstCohort): \(pct(share.estimate)) (95% CI "
                        + "\(pct(share.lower))–\(pct(share.upper)); \(share.successes)/\(share.total))"
                )
            }
        }
        let fit = model.fit
        lines.append(
            "  Cox model of improvement by session (complete cases: n=\(fit.n) of \(courses), improved \(fit.events)"
                + (model.constant.isEmpty ? "" : "; left out as constant: \(model.constant.joined(separator: ", "))") + ")")
        if let terms = fit.terms {
            for term in terms {
                lines.append(
                    "    \(term.name.padding(toLength: 44, withPad: " ", startingAt: 0)) HR \(String(format: "%.2f", term.hazardRatio)) "
                        + "(95% CI \(String(format: "%.2f", term.lower))–\(String(format: "%.2f", term.upper))), p \(p(term.pValue))")
            }
            lines.append(
                "    likelihood-ratio χ² \(fit.likelihoodRatio.map { String(format: "%.2f", $0) } ?? "–") on \(fit.degreesOfFreedom) df, "
                    + "p \(p(fit.likelihoodRatioPValue))")
        } else {
            lines.append("    not estimable: \(fit.notEstimable ?? "unknown reason")")
        }
        lines.append("  " + interpretation)
        return lines
    }
}
