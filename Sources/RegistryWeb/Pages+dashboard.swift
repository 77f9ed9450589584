import Foundation
import RegistryAnalytics
import RegistryCore

extension Pages {
    /// The outcome dashboard: the filter form, the headline figures, the charts, the cohort
    /// comparison, the tables (each downloadable as CSV at `csvBase` + key) and the methods.
    /// Every figure is the report's own; `names` names sites and clinicians.
    public func dashboard(_ language: Language, viewer: Viewer, report: OutcomeReport, names: [UUID: String], filter: FilledForm, csvQuery: String) throws -> String {
        let tables = OutcomeTables(report: report, names: names, catalogue: catalogue, language: language).all
        let t = { (key: String) in self.catalogue.text(key, language) }
        let responders = report.cohorts.filter { $0.recurrence != nil && ($0.recurrence?.n ?? 0) > 0 }
        let lastDay = Double(OutcomeReport.milestoneDays.last ?? 365)
        let survival = SurvivalChart.svg(responders.map { SurvivalChart.Series(label: $0.label, curve: $0.recurrence!.kaplanMeier) },
                                         frame: ChartFrame(xMax: lastDay), atRiskTimes: [0, 90, 180, 270, 365], label: t("chartRecurrence"),
                                         xTitle: t("daysSinceImprovement"), yTitle: t("recurrenceFree"), atRiskTitle: t("numbersAtRisk"))
        let charts: [[String: Any]] = [
            ["title": t("chartCumulative"), "svg": OutcomeCharts.cumulativeResponse(report.cumulativeResponse, label: t("chartCumulative"),
                                                                                      xTitle: t("sessionNumber"), yTitle: t("shareImproved"))],
            ["title": t("chartDistribution"), "svg": OutcomeCharts.distribution(report.cumulativeResponse, label: t("chartDistribution"),
                                                                                 xTitle: t("sessionNumber"), yTitle: t("courseCount"))],
            ["title": t("chartRecurrence"), "svg": survival],
            // Weeks with fewer than `minimumWeekCourses` courses are left out of the picture (not of the JSON): a median of two is noise.
            ["title": t("chartNRSWeeks"), "note": catalogue.text("chartNRSNote", language, ["n": "\(Self.minimumWeekCourses)"]),
             "svg": OutcomeCharts.nrsByWeek(report.cohorts.filter { $0.label != CourseOutcome.notEvaluableCohort }
                 .map { ($0.label, $0.nrsByWeek.filter { $0.n >= Self.minimumWeekCourses }) }.filter { !$0.1.isEmpty },
                                            label: t("chartNRSWeeks"), xTitle: t("weeksSinceFirst"), yTitle: t("medianNRS"))],
        ]
        let figures = tables[0].rows.map { ["label": $0[0], "value": $0[1]] }
        var values: [String: Any] = [
            "title": t("outcomesTitle"), "viewer": viewer, "filter": formValues(filter, language), "figures": figures, "charts": charts,
            "tables": tables.dropFirst().map { table in
                ["title": t(table.titleKey), "key": table.key, "header": table.header, "rows": table.rows.map { ["cells": $0] }, "csv": "/reports/outcomes/\(table.key).csv\(csvQuery)",
                 "empty": table.rows.isEmpty, "long": table.rows.count > 20, "rowCount": table.rows.count]
            },
            "headlineCSV": "/reports/outcomes/headline.csv\(csvQuery)",
            "methods": report.methods.named.map { ["name": $0.0, "text": $0.1] },
            "thresholds": Self.flattened(report.thresholds).map { ["name": $0.0, "value": $0.1] },
            "interpretation": t("interpretation"),
        ]
        if let comparison = report.comparison {
            let d = comparison.recurrenceDifference
            values["comparison"] = [
                "heading": catalogue.text("comparisonHeading", language, ["first": comparison.first, "second": comparison.second]),
                "difference": "\(Format.estimate(d.difference, d.lower, d.upper)) (\(Format.proportion(d.first)) − \(Format.proportion(d.second)))",
                "fisher": String(format: "%.4g", comparison.fisher.twoSided),
                "logRank": comparison.logRank.chiSquare.map { String(format: "χ² = %.3f, p = %.4g", $0, comparison.logRank.pValue ?? .nan) } ?? "–",
            ]
        }
        return try render("dashboard", language, values)
    }

    /// The fewest courses a week needs to be drawn in the NRS-by-week chart.
    static let minimumWeekCourses = 5

    /// Every threshold as a dotted name and its value, read by reflection so none is missed.
    static func flattened(_ rules: ClinicalRules) -> [(String, String)] {
        func text(_ value: Any) -> String {
            if let coded = value as? any RawRepresentable { return "\(coded.rawValue)" }
            return "\(value)"
        }
        func walk(_ value: Any, _ path: String) -> [(String, String)] {
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .struct:
                return mirror.children.flatMap { walk($0.value, path.isEmpty ? $0.label ?? "" : "\(path).\($0.label ?? "")") }
            case .collection:
                let elements = mirror.children.map(\.value)
                if elements.allSatisfy({ Mirror(reflecting: $0).displayStyle != .struct }) { return [(path, elements.map(text).joined(separator: ", "))] }
                return elements.enumerated().flatMap { walk($0.element, "\(path)[\($0.offset)]") }
            default:
                return [(path, text(value))]
            }
        }
        return walk(rules, "")
    }
}
