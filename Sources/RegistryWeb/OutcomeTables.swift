import Foundation
import RegistryAnalytics
import RegistryCore

/// One table of the dashboard, in two forms from the same rows: as the page shows it (localised
/// text, estimates with their intervals) and as its CSV download (one raw number per column).
public struct ReportTable: Sendable {
    /// The download's name (`cohorts` → `outcomes-cohorts.csv`).
    public let key: String
    public let titleKey: String
    public let header: [String]
    public let rows: [[String]]
    public let csvHeader: [String]
    public let csvRows: [[String]]
    /// The catalogue key of a note under the table, saying what its shares are of.
    public var hintKey: String? = nil
    /// The first column holds names (sites, clinicians): not to be translated.
    public var namesFirst = false
}

/// The dashboard's tables from the outcome report; `names` turns site and clinician ids into names.
public struct OutcomeTables {
    let report: OutcomeReport
    let names: [UUID: String]
    let catalogue: Catalogue
    let language: Language

    public init(report: OutcomeReport, names: [UUID: String], catalogue: Catalogue, language: Language) {
        self.report = report
        self.names = names
        self.catalogue = catalogue
        self.language = language
    }

    func t(_ key: String) -> String { catalogue.text(key, language) }

    public var all: [ReportTable] {
        [headline, cohorts, sessions, recurrence, groups("sites", report.breakdown.sites), groups("clinicians", report.breakdown.clinicians)]
            + (report.followUp.map {
                [
                    completeness("followUpMilestones", $0.milestones, by: .milestone), completeness("followUpSites", $0.sites, by: .site),
                    completeness("followUpChannels", $0.channels, by: .channel),
                ]
            } ?? [])
            + funnelTables
    }

    enum CompletenessGroup: String { case milestone, site, channel }

    /// Follow-up completeness and response by milestone, site or the invitation's channel: how
    /// the closed follow-ups were asked for and answered, each share with its Wilson interval.
    func completeness(_ key: String, _ rows: [OutcomeReport.Completeness], by group: CompletenessGroup) -> ReportTable {
        let name = { (row: OutcomeReport.Completeness) in
            switch group {
            case .milestone: catalogue.milestone(row.key, language)
            case .site: UUID(uuidString: row.key).flatMap { names[$0] } ?? row.key
            case .channel: self.t("channel_" + row.key)
            }
        }
        let figures: [(key: String, csv: String, value: (OutcomeReport.Completeness) -> Proportion)] = [
            ("invitedShare", "invited", \.invited), ("answeredAfterInvitation", "after_invitation", \.answeredAfterInvitation),
            ("answeredAfterReminder", "after_reminder", \.answeredAfterReminder),
            ("answeredFromClinicLink", "from_clinic_link", \.answeredFromClinicLink),
            ("answeredByClinician", "by_clinician", \.answeredByClinician), ("neverAsked", "never_asked", \.neverAsked),
            ("answeredOfInvited", "answered_of_invited", \.answeredOfInvited),
        ]
        func raw(_ p: Proportion) -> [String] { ["\(p.successes)", "\(p.total)", Format.raw(p.estimate), Format.raw(p.lower), Format.raw(p.upper)] }
        return ReportTable(
            key: key, titleKey: key + "Title", header: [t(group.rawValue), t("answeredOfDue")] + figures.map { t($0.key) },
            rows: rows.map { row in [name(row), Format.proportion(row.answered)] + figures.map { Format.proportion($0.value(row)) } },
            csvHeader: [group.rawValue, "answered", "due", "completeness", "lower", "upper"]
                + figures.flatMap { f in ["", "_total", "_share", "_lower", "_upper"].map { f.csv + $0 } },
            // The download keeps the configured label and the channel's code; sites by name.
            csvRows: rows.map { row in [group == .site ? name(row) : row.key] + raw(row.answered) + figures.flatMap { raw($0.value(row)) } },
            hintKey: "responseHint", namesFirst: group == .site)
    }

    /// The headline figures: each with its count, total and 95% interval (median and IQR for sessions).
    var headline: ReportTable {
        var rows: [(String, String, [String])] = []
        func proportion(_ key: String, _ p: Proportion) {
            rows.append(
                (
                    t(key), Format.proportion(p),
                    [key, "\(p.successes)", "\(p.total)", Format.raw(p.estimate), Format.raw(p.lower), Format.raw(p.upper)]
                ))
        }
        rows.append((t("figureCourses"), "\(report.courses)", ["courses", "\(report.courses)", "", "", "", ""]))
        proportion("figureEvaluable", Proportion(report.evaluable, of: report.courses))
        for (reason, count) in report.notEvaluable.sorted(by: { $0.key < $1.key }) {
            rows.append(
                (
                    catalogue.text("notEvaluable", language, ["reason": t("reason_" + reason)]), "\(count)",
                    ["not_evaluable_" + reason, "\(count)", "\(report.courses)", "", "", ""]
                ))
        }
        proportion("figureResponse", report.response)
        proportion("figureModerate", report.moderateResponse)
        let s = report.sessionsToImprovement
        rows.append(
            (
                t("figureSessions"), Format.median(s),
                ["sessions_to_improvement", "\(s.n)", "", Format.raw(s.median), Format.raw(s.q1), Format.raw(s.q3)]
            ))
        proportion("figureBlocks", report.blockPositivity)
        rows.append(
            (
                t("figureNonSustained"), "\(report.nonSustained)",
                ["non_sustained", "\(report.nonSustained)", "\(report.response.successes)", "", "", ""]
            ))
        return ReportTable(
            key: "headline", titleKey: "headlineTitle", header: [t("measure"), t("value")], rows: rows.map { [$0.0, $0.1] },
            csvHeader: ["measure", "count", "total", "estimate_or_median", "lower_or_q1", "upper_or_q3"], csvRows: rows.map(\.2))
    }

    var cohorts: ReportTable {
        let milestones = OutcomeReport.milestoneDays
        let rows = report.cohorts.map { cohort -> ([String], [String]) in
            let share = cohort.shareOfEvaluable
            let recurrence = cohort.recurrence
            let points = milestones.map { day in recurrence?.milestones.first { $0.day == day } }
            let html =
                [
                    catalogue.cohort(cohort.label, language), "\(cohort.courses)", share.map(Format.proportion) ?? "–",
                    Format.median(cohort.sessions),
                    recurrence.map { "\($0.recurred) / \($0.n)" } ?? "–",
                ]
                + points.map { point in
                    point.map { Format.survival($0.recurrenceFree, $0.lower, $0.upper, atRisk: $0.atRisk, catalogue.text("atRiskShort", language)) }
                        ?? "–"
                }
            let csv =
                [
                    cohort.label, "\(cohort.courses)", Format.raw(share?.estimate), Format.raw(share?.lower), Format.raw(share?.upper),
                    "\(cohort.sessions.n)",
                    Format.raw(cohort.sessions.median), Format.raw(cohort.sessions.q1), Format.raw(cohort.sessions.q3),
                    recurrence.map { "\($0.n)" } ?? "", recurrence.map { "\($0.recurred)" } ?? "", Format.raw(recurrence?.medianDays),
                ]
                + points.flatMap { [Format.raw($0?.recurrenceFree), Format.raw($0?.lower), Format.raw($0?.upper), $0.map { "\($0.atRisk)" } ?? ""] }
            return (html, csv)
        }
        return ReportTable(
            key: "cohorts", titleKey: "cohortsTitle",
            header: [t("cohort"), t("courses"), t("shareOfEvaluable"), t("sessionsMedian"), t("recurredOfFollowed")]
                + milestones.map { catalogue.text("recurrenceFreeAt", language, ["days": "\($0)"]) },
            rows: rows.map(\.0),
            csvHeader: [
                "cohort", "courses", "share_of_evaluable", "share_lower", "share_upper", "sessions_n", "sessions_median", "sessions_q1",
                "sessions_q3", "responders_followed", "recurred", "median_recurrence_free_days",
            ]
                + milestones.flatMap { ["recurrence_free_\($0)d", "lower_\($0)d", "upper_\($0)d", "at_risk_\($0)d"] },
            csvRows: rows.map(\.1))
    }

    /// Cumulative response by session number.
    var sessions: ReportTable {
        let rows = report.cumulativeResponse.map { step in
            (
                [String(step.session), "\(step.atRisk)", "\(step.improved)", Format.estimate(step.cumulative, step.lower, step.upper)],
                [
                    String(step.session), "\(step.atRisk)", "\(step.improved)", Format.raw(step.cumulative), Format.raw(step.lower),
                    Format.raw(step.upper),
                ]
            )
        }
        return ReportTable(
            key: "sessions", titleKey: "sessionsTitle", header: [t("session"), t("atRisk"), t("improvedSoFar"), t("cumulativeResponse")],
            rows: rows.map(\.0), csvHeader: ["session", "at_risk", "improved_so_far", "cumulative_response", "lower", "upper"], csvRows: rows.map(\.1)
        )
    }

    /// Every step of each responder cohort's recurrence-free curve.
    var recurrence: ReportTable {
        let rows = report.cohorts.compactMap { cohort in cohort.recurrence.map { (cohort.label, $0.kaplanMeier) } }.flatMap { label, curve in
            curve.rows.map { row in
                (
                    [
                        catalogue.cohort(label, language), Format.raw(row.time), "\(row.atRisk)", "\(row.events)", "\(row.censored)",
                        Format.estimate(row.survival, row.lower, row.upper),
                    ],
                    [
                        label, Format.raw(row.time), "\(row.atRisk)", "\(row.events)", "\(row.censored)", Format.raw(row.survival),
                        Format.raw(row.standardError),
                        Format.raw(row.lower), Format.raw(row.upper),
                    ]
                )
            }
        }
        return ReportTable(
            key: "recurrence", titleKey: "recurrenceTableTitle",
            header: [t("cohort"), t("day"), t("atRisk"), t("recurred"), t("censored"), t("recurrenceFree")], rows: rows.map(\.0),
            csvHeader: ["cohort", "day", "at_risk", "recurred", "censored", "recurrence_free", "standard_error", "lower", "upper"],
            csvRows: rows.map(\.1))
    }

    func groups(_ key: String, _ groups: [OutcomeReport.Group]) -> ReportTable {
        let rows = groups.map { group in
            (
                [names[group.id] ?? group.id.uuidString.lowercased(), "\(group.courses)", "\(group.evaluable)", Format.proportion(group.response)],
                [
                    group.id.uuidString.lowercased(), names[group.id] ?? "", "\(group.courses)", "\(group.evaluable)", "\(group.response.successes)",
                    Format.raw(group.response.estimate), Format.raw(group.response.lower), Format.raw(group.response.upper),
                ]
            )
        }
        return ReportTable(
            key: key, titleKey: key + "Title",
            header: [t(key == "sites" ? "site" : "clinician"), t("courses"), t("figureEvaluable"), t("figureResponse")],
            rows: rows.map(\.0), csvHeader: ["id", "name", "courses", "evaluable", "responders", "response", "lower", "upper"],
            csvRows: rows.map(\.1),
            namesFirst: true)
    }
}

/// How the dashboard writes numbers: percentages to one decimal, intervals after them.
enum Format {
    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }

    static func estimate(_ value: Double?, _ lower: Double?, _ upper: Double?) -> String {
        guard let value else { return "–" }
        guard let lower, let upper else { return percent(value) }
        return "\(percent(value)) (\(span(String(format: "%.1f", lower * 100), String(format: "%.1f", upper * 100))))"
    }

    /// "3–7", or with a negative bound "−14.6 – 9.7": a hyphen-minus beside a dash reads as one.
    static func span(_ low: String, _ high: String) -> String {
        guard low.hasPrefix("-") || high.hasPrefix("-") else { return "\(low)–\(high)" }
        return "\(signed(low)) – \(signed(high))"
    }

    /// A number with a true minus sign.
    static func signed(_ text: String) -> String { text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text }

    static func proportion(_ p: Proportion) -> String {
        p.total == 0 ? "– (0)" : "\(estimate(p.estimate, p.lower, p.upper)) · \(p.successes)/\(p.total)"
    }

    static func survival(_ value: Double?, _ lower: Double?, _ upper: Double?, atRisk: Int, _ atRiskLabel: String) -> String {
        "\(estimate(value, lower, upper)) · \(atRiskLabel) \(atRisk)"
    }

    static func median(_ s: Summary) -> String {
        guard let median = s.median else { return "– (n = 0)" }
        return "\(signed(number(median))) (\(span(number(s.q1 ?? median), number(s.q3 ?? median)))) · n = \(s.n)"
    }

    static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value) }

    /// A number as JSON would write it, or empty.
    static func raw(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
