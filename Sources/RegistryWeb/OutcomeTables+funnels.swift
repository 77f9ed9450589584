import Foundation
import RegistryAnalytics

/// The funnel plots' tables: for each clinician or branch its counts, its share and the limits at
/// its n, and the case-mix-adjusted O, E, O/E, adjusted share and the limits at its E, each with
/// its verdict ("too few to judge" under five courses).
extension OutcomeTables {
    /// The measures and provider types drawn, in the dashboard's order: (table key, measure, plot, site?).
    var funnelPlots: [(key: String, measure: FunnelMeasure, plot: FunnelPlot, site: Bool)] {
        let f = report.funnels
        return [
            ("funnelResponseClinicians", f.response, f.response.clinicians, false), ("funnelResponseSites", f.response, f.response.sites, true),
            ("funnelImprovementClinicians", f.firstCohortImprovement, f.firstCohortImprovement.clinicians, false),
            ("funnelImprovementSites", f.firstCohortImprovement, f.firstCohortImprovement.sites, true),
        ]
    }

    var funnelTables: [ReportTable] { funnelPlots.map { funnel($0.key, $0.plot, site: $0.site) } }

    func verdict(_ verdict: FunnelVerdict?) -> String { verdict.map { t("verdict_" + $0.rawValue) } ?? "–" }

    func funnel(_ key: String, _ plot: FunnelPlot, site: Bool) -> ReportTable {
        func limits(_ l: FunnelLimits?, _ format: (Double) -> String) -> [String] {
            guard let l else { return ["–", "–"] }
            return ["\(format(l.lower95)) – \(format(l.upper95))", "\(format(l.lower998)) – \(format(l.upper998))"]
        }
        let ratio = { (v: Double) in String(format: "%.2f", v) }
        let rows = plot.providers.map { p -> ([String], [String]) in
            let name = names[p.id] ?? p.id.uuidString.lowercased(), a = p.adjusted
            let shown =
                [name, "\(p.n)", "\(p.observed)", Format.percent(p.proportion)] + limits(p.limits, Format.percent) + [
                    verdict(p.verdict),
                    a.map { String(format: "%.1f", $0.expected) } ?? "–", a?.ratio.map(ratio) ?? "–", Format.percent(a?.proportion),
                ]
                + limits(a?.limits, ratio) + [verdict(a?.verdict)]
            let raw = [
                p.id.uuidString.lowercased(), names[p.id] ?? "", "\(p.n)", "\(p.observed)", Format.raw(p.proportion),
                Format.raw(p.limits.lower998), Format.raw(p.limits.lower95), Format.raw(p.limits.upper95), Format.raw(p.limits.upper998),
                p.verdict.rawValue,
                a.map { "\($0.n)" } ?? "", a.map { "\($0.observed)" } ?? "", Format.raw(a?.expected), Format.raw(a?.ratio), Format.raw(a?.proportion),
                Format.raw(a?.limits?.lower998), Format.raw(a?.limits?.lower95), Format.raw(a?.limits?.upper95), Format.raw(a?.limits?.upper998),
                a?.verdict.rawValue ?? "",
            ]
            return (shown, raw)
        }
        return ReportTable(
            key: key, titleKey: key + "Title",
            header: [
                t(site ? "site" : "clinician"), "n", t("funnelObserved"), t("funnelShare"), t("funnelLimits95"), t("funnelLimits998"),
                t("funnelVerdict"),
                t("funnelExpected"), "O/E", t("funnelAdjustedShare"), t("funnelRatioLimits95"), t("funnelRatioLimits998"), t("funnelAdjustedVerdict"),
            ],
            rows: rows.map(\.0),
            csvHeader: [
                "id", "name", "n", "observed", "proportion", "lower_99_8", "lower_95", "upper_95", "upper_99_8", "verdict",
                "adjusted_n", "adjusted_observed", "expected", "observed_to_expected", "adjusted_proportion",
                "ratio_lower_99_8", "ratio_lower_95", "ratio_upper_95", "ratio_upper_99_8", "adjusted_verdict",
            ],
            csvRows: rows.map(\.1), namesFirst: true)
    }
}
