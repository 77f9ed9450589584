import Foundation
import RegistryAnalytics
import RegistryCore

extension Pages {
    /// The outcome dashboard: the filter form, the headline figures, the charts, the cohort
    /// comparison, the tables (each downloadable as CSV at `csvBase` + key) and the methods.
    /// Every figure is the report's own; `names` names sites and clinicians.
    /// `source`: when a replica is configured, how far behind it is, and why the primary was read
    /// instead if it was (nil: no replica is configured).
    public func dashboard(
        _ language: Language, viewer: Viewer, report: OutcomeReport, names: [UUID: String], filter: FilledForm, csvQuery: String,
        source: (lagSeconds: Double?, fallback: String?)? = nil
    ) throws -> String {
        let tables = OutcomeTables(report: report, names: names, catalogue: catalogue, language: language).all
        let t = { (key: String) in self.catalogue.text(key, language) }
        let responders = report.cohorts.filter { $0.recurrence != nil && ($0.recurrence?.n ?? 0) > 0 }
        let lastDay = Double(OutcomeReport.milestoneDays.last ?? 365)
        let survival = SurvivalChart.svg(
            responders.map { SurvivalChart.Series(label: catalogue.cohort($0.label, language), curve: $0.recurrence!.kaplanMeier) },
            frame: ChartFrame(xMax: lastDay), atRiskTimes: [0, 90, 180, 270, 365], label: t("chartRecurrence"),
            xTitle: t("daysSinceImprovement"), yTitle: t("recurrenceFree"), atRiskTitle: t("numbersAtRisk"), minimumAtRisk: Self.minimumAtRisk)
        let charts: [[String: Any]] = [
            [
                "title": t("chartCumulative"),
                "note": catalogue.text("chartFewAtRisk", language, ["n": "\(Self.minimumAtRisk)"]),
                "svg": OutcomeCharts.cumulativeResponse(
                    report.cumulativeResponse, minimumAtRisk: Self.minimumAtRisk, label: t("chartCumulative"),
                    xTitle: t("sessionNumber"), yTitle: t("shareImproved"), atRiskTitle: t("numbersAtRisk")),
            ],
            [
                "title": t("chartDistribution"),
                "svg": OutcomeCharts.distribution(
                    report.cumulativeResponse, label: t("chartDistribution"),
                    xTitle: t("sessionNumber"), yTitle: t("courseCount")),
            ],
            [
                "title": t("chartRecurrence"), "svg": survival,
                "note": catalogue.text("chartFewAtRiskCurves", language, ["n": "\(Self.minimumAtRisk)"]),
            ],
            // Weeks with fewer than `minimumWeekCourses` courses are left out of the picture (not of the JSON): a median of two is noise.
            [
                "title": t("chartNRSWeeks"), "note": catalogue.text("chartNRSNote", language, ["n": "\(Self.minimumWeekCourses)"]),
                "svg": OutcomeCharts.nrsByWeek(
                    report.cohorts.filter { $0.label != CourseOutcome.notEvaluableCohort }
                        .map { (catalogue.cohort($0.label, language), $0.nrsByWeek.filter { $0.n >= Self.minimumWeekCourses }) }.filter {
                            !$0.1.isEmpty
                        },
                    label: t("chartNRSWeeks"), xTitle: t("weeksSinceFirst"), yTitle: t("medianNRS")),
            ],
        ]
        let figures = tables[0].rows.map { ["label": $0[0], "value": $0[1]] }
        let funnelKeys = Set(OutcomeTables(report: report, names: names, catalogue: catalogue, language: language).funnelPlots.map(\.key))
        var values: [String: Any] = [
            "dataSource": source.map { readSourceText($0, language) } ?? false,
            "title": t("outcomesTitle"), "viewer": viewer, "filter": formValues(filter, language), "figures": figures, "charts": charts,
            "tables": tables.dropFirst().filter { !funnelKeys.contains($0.key) }.map { tableValues($0, language, csvQuery: csvQuery) },
            "funnels": funnels(report, names: names, language, tables: tables, csvQuery: csvQuery),
            "funnelInterpretation": t("funnelInterpretation"),
            "headlineCSV": "/reports/outcomes/headline.csv\(csvQuery)",
            // The report's own words in English; the catalogue's where it has them (zh-TW).
            "methods": report.methods.named.map { name, text in
                [
                    "name": catalogue.strings[language]?["methodName_" + name] ?? name,
                    "text": catalogue.strings[language]?["method_" + name] ?? text,
                ]
            },
            "thresholds": thresholdRows(report.thresholds, language),
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

    private func tableValues(_ table: ReportTable, _ language: Language, csvQuery: String, cohortLabel: String = "") -> [String: Any] {
        [
            "title": catalogue.text(table.titleKey, language, ["cohort": cohortLabel]), "key": table.key, "header": table.header,
            "rows": table.rows.map { row in ["cells": row.enumerated().map { ["text": $1, "name": table.namesFirst && $0 == 0] }] },
            "csv": "/reports/outcomes/\(table.key).csv\(csvQuery)", "empty": table.rows.isEmpty, "long": table.rows.count > 20,
            "rowCount": table.rows.count, "hint": table.hintKey.map { catalogue.text($0, language) } ?? false,
        ]
    }

    /// Each funnel: its unadjusted and adjusted plots side by side, φ, the model's state and its table.
    private func funnels(
        _ report: OutcomeReport, names: [UUID: String], _ language: Language, tables: [ReportTable], csvQuery: String
    ) -> [[String: Any]] {
        let t = { (key: String) in self.catalogue.text(key, language) }
        let cohort = report.thresholds.cohorts.first?.label ?? "–"
        return OutcomeTables(report: report, names: names, catalogue: catalogue, language: language).funnelPlots.map { funnel in
            let title = catalogue.text(funnel.key + "Title", language, ["cohort": cohort])
            let name = { (id: UUID) in names[id] ?? String(id.uuidString.prefix(8)).lowercased() }
            let target = funnel.measure.target ?? 0
            let unadjusted = FunnelChart.svg(
                funnel.plot.providers.map { .init(label: name($0.id), precision: Double($0.n), value: $0.proportion, verdict: $0.verdict) },
                limits: funnel.plot.limits, widened: funnel.plot.widenedLimits, target: target, ratio: false,
                label: "\(title): \(t("funnelUnadjusted"))", xTitle: t("funnelCourses"), yTitle: t("funnelShare"))
            let modelled = funnel.plot.providers.compactMap { p in
                p.adjusted.flatMap { a in a.ratio.map { FunnelChart.Point(label: name(p.id), precision: a.expected, value: $0, verdict: a.verdict) } }
            }
            let adjusted = FunnelChart.svg(
                modelled, limits: funnel.plot.ratioLimits, widened: nil, target: 1, ratio: true,
                label: "\(title): \(t("funnelAdjusted"))", xTitle: t("funnelExpected"), yTitle: t("funnelRatio"))
            let model = funnel.measure.model
            var values: [String: Any] = [
                "id": funnel.key, "title": title, "unadjustedTitle": t("funnelUnadjusted"), "adjustedTitle": t("funnelAdjusted"),
                "unadjusted": unadjusted, "adjusted": modelled.isEmpty ? false : adjusted,
                "target": catalogue.text("funnelTarget", language, ["target": Format.percent(funnel.measure.target), "n": "\(funnel.measure.n)"]),
                "model": model.terms == nil
                    ? catalogue.text("funnelNoModel", language, ["n": "\(funnel.measure.completeCases)"])
                    : catalogue.text("funnelModel", language, ["n": "\(funnel.measure.completeCases)", "terms": "\(model.terms!.count - 1)"]),
            ]
            if let phi = funnel.plot.phi {
                values["phi"] = catalogue.text(phi > 1 ? "funnelPhiWidened" : "funnelPhi", language, ["phi": String(format: "%.2f", phi)])
            }
            if let table = tables.first(where: { $0.key == funnel.key }) {
                values["table"] = tableValues(table, language, csvQuery: csvQuery, cohortLabel: cohort)
            }
            return values
        }
    }

    /// The fewest courses a week needs to be drawn in the NRS-by-week chart.
    static let minimumWeekCourses = 5
    /// Below this many courses at risk a curve is drawn thin and grey, as clinical papers do.
    static let minimumAtRisk = 10

    /// Every threshold as a dotted name and its value, read by reflection so none is missed.
    /// The thresholds as sentences in the page's language, each with its setting's name: one row
    /// per setting, one per cohort.
    func thresholdRows(_ rules: ClinicalRules, _ language: Language) -> [[String: String]] {
        // A percentage configured as 50 reads "50", not "50.0".
        func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        let settings: [(String, String)] = [
            ("block.positiveReliefPercent", number(rules.block.positiveReliefPercent)),
            ("block.assessmentWindowMinutes.minimum", "\(rules.block.assessmentWindowMinutes.minimum)"),
            ("block.assessmentWindowMinutes.maximum", "\(rules.block.assessmentWindowMinutes.maximum)"),
            ("baseline.windowDays", "\(rules.baseline.windowDays)"),
            ("baseline.minimumNRS", "\(rules.baseline.minimumNRS)"),
            (
                "sessions.countedKinds",
                rules.sessions.countedKinds.map { catalogue.text($0.rawValue, language) }.joined(separator: language == .zhTW ? "、" : ", ")
            ),
            ("outcome.minimumDaysAfterSession", "\(rules.outcome.minimumDaysAfterSession)"),
            ("improvement.reliefPercent", number(rules.improvement.reliefPercent)),
            ("improvement.moderateReliefPercent", number(rules.improvement.moderateReliefPercent)),
            ("improvement.minimumPointDrop", "\(rules.improvement.minimumPointDrop)"),
            ("recurrence.minimumPointRise", "\(rules.recurrence.minimumPointRise)"),
            ("recurrence.requireConfirmation", catalogue.text(rules.recurrence.requireConfirmation ? "yes" : "no", language)),
            ("recurrence.minimumDaysAfterImprovement", "\(rules.recurrence.minimumDaysAfterImprovement)"),
        ]
        let cohorts = rules.cohorts.enumerated().map { index, cohort in
            [
                "text": catalogue.text(
                    "threshold_cohort", language,
                    ["label": cohort.label, "minimum": "\(cohort.minimumSessions)", "maximum": "\(cohort.maximumSessions)"]),
                "name": "cohorts[\(index)]",
            ]
        }
        return settings.map { name, shown in ["text": catalogue.text("threshold_" + name, language, ["value": shown]), "name": name] } + cohorts
    }

    /// Where the figures come from, and how old they are: the replica's lag, or why the primary was read.
    func readSourceText(_ source: (lagSeconds: Double?, fallback: String?), _ language: Language) -> String {
        let lag = String(format: "%.1f", source.lagSeconds ?? 0)
        guard let fallback = source.fallback else { return catalogue.text("replicaRead", language, ["lag": lag]) }
        return catalogue.text("replicaFallback_" + fallback, language, ["lag": lag])
    }
}
