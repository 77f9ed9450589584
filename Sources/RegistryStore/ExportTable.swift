import Foundation
import RegistryAnalytics
import RegistryCore

/// One exported column, documented once: the header, the codebook row and the type all come from here.
public struct ExportColumn: Sendable {
    public enum Kind: String, Sendable { case pseudonym, code, integer, decimal, boolean, date, datetime, text }

    public let name: String
    public let kind: Kind
    public let unit: String?
    /// Allowed codes and their labels, for `code` and `boolean` columns.
    public let codes: [(String, String)]
    public let meaning: String

    init(_ name: String, _ kind: Kind, unit: String? = nil, codes: [(String, String)] = [], _ meaning: String) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.codes = kind == .boolean ? [("1", "yes"), ("0", "no")] : codes
        self.meaning = meaning
    }

    /// With relative dates, date columns become whole days from the course start, and say so in their name.
    func exportedName(_ dates: ExportDates) -> String {
        dates == .relative && (kind == .date || kind == .datetime) ? name.replacingOccurrences(of: "_date", with: "") + "_day" : name
    }

    func exportedType(_ dates: ExportDates) -> String {
        switch kind {
        case .date, .datetime: dates == .relative ? "integer" : (kind == .date ? "date (ISO 8601, YYYY-MM-DD)" : "datetime (ISO 8601, UTC)")
        case .pseudonym, .text: "string"
        case .code: "string (code)"
        case .boolean: "integer (0/1)"
        case .integer: "integer"
        case .decimal: "decimal ('.' as decimal mark)"
        }
    }
}

func coded<T: CodedValue>(_ type: T.Type) -> [(String, String)] {
    T.allowed.map { ($0, $0.replacingOccurrences(of: "_", with: " ")) }
}

/// The exported tables. Voided records are left out of every table, as they are of every analysis.
/// Rows carry course and patient pseudonyms; only sessions carry their own (procedures of one
/// session share it), since no other record is referred to by anything.
public enum ExportTable: String, Sendable, CaseIterable {
    case courses, sessions, blocks
    case painScores = "pain_scores"
    case events
    case findingsScreening = "findings_screening", findingsExamination = "findings_examination", findingsUltrasound = "findings_ultrasound"

    public var fileName: String { rawValue + ".csv" }

    static let course = ExportColumn("course_id", .pseudonym, "Course pseudonym (stable within this export)")
    static let patient = ExportColumn("patient_id", .pseudonym, "Patient pseudonym (stable within this export)")

    /// `notes` adds the free-text columns (only when an admin enabled them).
    public func columns(notes: Bool) -> [ExportColumn] {
        var columns: [ExportColumn]
        switch self {
        case .courses:
            columns = [
                Self.course, Self.patient,
                ExportColumn("site", .code, "Site code"),
                ExportColumn("clinician_id", .pseudonym, "Treating clinician pseudonym"),
                ExportColumn("side", .code, codes: coded(Side.self), "Side of the complaint"),
                ExportColumn("icd10", .code, "ICD-10 code (G57.81 right, G57.82 left lower-limb mononeuropathy; M54.50 low back pain)"),
                ExportColumn("age_at_start", .code, unit: "years", "Age at course start in whole years; 90 and over as 90+"),
                ExportColumn("sex", .code, codes: coded(Sex.self), "Sex"),
                ExportColumn("start_date", .date, "Course start"),
                ExportColumn("first_session_date", .date, "First counted treatment session"),
                ExportColumn("sessions", .integer, unit: "sessions", "Distinct dates with a counted procedure"),
                ExportColumn("baseline_nrs", .integer, unit: "NRS 0-10", "Baseline pain (CLINICAL.md definition)"),
                ExportColumn("baseline_date", .date, "Date of the score chosen as baseline"),
                ExportColumn(
                    "baseline_timepoint", .code, codes: coded(Timepoint.self),
                    "Timepoint of the score chosen as baseline (ties on its date: before procedure first, then the highest NRS)"),
                ExportColumn("evaluable", .boolean, "Course has a baseline at or above the minimum"),
                ExportColumn(
                    "not_evaluable_reason", .code,
                    codes: [
                        ("no_sessions", "no treatment session"), ("no_baseline", "no baseline score in the window"),
                        ("baseline_below_minimum", "baseline below the minimum NRS"),
                    ], "Why the course is not evaluable"),
                ExportColumn("responder", .boolean, "Improved: relief ≥ improvement threshold and ≥ minimum point drop"),
                ExportColumn("improvement_date", .date, "t0: first outcome score meeting the improvement rule"),
                ExportColumn("sessions_to_improvement", .integer, unit: "sessions", "Sessions dated before t0"),
                ExportColumn("moderate_responder", .boolean, "Met the moderate (30%) tier"),
                ExportColumn(
                    "cohort", .code,
                    "Session cohort: a configured one (default 1-2, 3-5), other (a gap between configured cohorts), >N above the highest, "
                        + "not improved, not evaluable; defined by the outcome itself"
                ),
                ExportColumn("recurred", .boolean, "Recurrence after improvement (confirmed or flagged)"),
                ExportColumn("recurrence_date", .date, "Date of recurrence"),
                ExportColumn("non_sustained", .boolean, "Response lost within the minimum days after improvement (not a recurrence)"),
                ExportColumn("days_to_event", .integer, unit: "days", "Days from t0 to recurrence or censoring (responders)"),
                ExportColumn(
                    "censor_reason", .code,
                    codes: [
                        ("last_contact", "last outcome score"), ("lost_to_follow_up", "lost to follow-up"),
                        ("other_surgery", "surgery for another diagnosis"), ("died", "died"),
                    ], "Why follow-up ended without recurrence"),
                ExportColumn(
                    "symptom_duration", .code, codes: BaselineCharacteristics.SymptomDuration.allCases.map { ($0.rawValue, $0.rawValue) },
                    "Symptom onset to the first session, in calendar months (chronic: more than 3)"),
                ExportColumn(
                    "adhesion_on_ultrasound", .boolean,
                    "Latest ultrasound on or before the first session shows fascia adhesion, restricted gliding or tunnel narrowing"),
                ExportColumn("baseline_fascia_thickness_mm", .decimal, unit: "mm", "Thoracolumbar fascia thickness on that ultrasound"),
                ExportColumn("baseline_nerve_csa_mm2", .decimal, unit: "mm²", "Nerve cross-sectional area on that ultrasound"),
                ExportColumn(
                    "baseline_block_relief_percent", .decimal, unit: "%", "Relief of the latest diagnostic block on or before the first session"),
                ExportColumn(
                    "first_treatment", .code,
                    codes: BaselineCharacteristics.firstTreatments.map { ($0, $0.replacingOccurrences(of: "_", with: " ")) },
                    "First session's treatment: the hydrodissection injectate (mixed when several), else prp injection or dextrose"),
            ]
        case .sessions:
            columns = [
                ExportColumn("session_id", .pseudonym, "Session pseudonym; one row per procedure"), Self.course, Self.patient,
                ExportColumn("session_date", .date, "Session date"),
                ExportColumn("clinician_id", .pseudonym, "Clinician pseudonym"),
                ExportColumn("procedure_number", .integer, "Order of the procedure within the session"),
                ExportColumn("kind", .code, codes: coded(ProcedureKind.self), "Procedure"),
                ExportColumn("injectate", .code, codes: coded(Injectate.self), "Hydrodissection injectate"),
                ExportColumn("volume_ml", .decimal, unit: "mL", "Injected volume"),
                ExportColumn("leukocytes", .code, codes: coded(Leukocytes.self), "PRP leukocyte content"),
                ExportColumn("dextrose_percent", .decimal, unit: "%", "Dextrose concentration"),
            ]
            if notes {
                columns.append(
                    ExportColumn(
                        "notes", .text,
                        "Free-text session notes; a note starting with = + - @, a tab or a carriage return is written with a leading "
                            + "apostrophe so spreadsheets do not run it"
                    ))
            }
        case .blocks:
            columns = [
                Self.course, Self.patient,
                ExportColumn("performed_at", .datetime, "When the block was injected"),
                ExportColumn("side", .code, codes: coded(Side.self), "Side"),
                ExportColumn("agent", .code, codes: coded(BlockAgent.self), "Local anaesthetic"),
                ExportColumn("volume_ml", .decimal, unit: "mL", "Volume"),
                ExportColumn("nrs_before", .integer, unit: "NRS 0-10", "Pain before"),
                ExportColumn("nrs_after", .integer, unit: "NRS 0-10", "Pain after"),
                ExportColumn("assessed_minutes_after", .integer, unit: "minutes", "When the after-score was taken"),
                ExportColumn("relief_percent", .decimal, unit: "%", "(before − after) / before × 100"),
                ExportColumn("positive", .boolean, "Relief at or above the configured threshold within the window"),
            ]
        case .painScores:
            columns = [
                Self.course, Self.patient,
                ExportColumn("score_date", .date, "Date taken"),
                ExportColumn("timepoint", .code, codes: coded(Timepoint.self), "When it was taken"),
                ExportColumn("nrs", .integer, unit: "NRS 0-10 (LOINC 72514-3)", "Pain intensity"),
                ExportColumn("odi", .integer, unit: "0-100 (LOINC 97909-6)", "Oswestry Disability Index"),
                ExportColumn("pgic", .integer, unit: "1-7", "Patient Global Impression of Change"),
                ExportColumn("source", .code, codes: coded(ScoreSource.self), "Who entered it: the clinician, or the patient from a follow-up link"),
            ]
        case .events:
            columns = [
                Self.course, Self.patient,
                ExportColumn("event_date", .date, "Date"),
                ExportColumn("kind", .code, codes: coded(CourseEventKind.self), "Clinician's flag"),
            ]
            if notes {
                columns.append(
                    ExportColumn(
                        "note", .text,
                        "Free-text note; a note starting with = + - @, a tab or a carriage return is written with a leading apostrophe so "
                            + "spreadsheets do not run it"
                    ))
            }
        case .findingsScreening:
            columns =
                [Self.course, Self.patient, ExportColumn("finding_date", .date, "Date")]
                + [
                    "pain_over_three_months", "imaging_mild_only", "pain_at_iliac_crest", "worse_upright_eased_lying", "psis_pressure_reproduces",
                    "physiotherapy_relapse",
                ].map { ExportColumn($0, .boolean, "Screening answer: " + $0.replacingOccurrences(of: "_", with: " ")) }
        case .findingsExamination:
            columns =
                [
                    Self.course, Self.patient, ExportColumn("finding_date", .date, "Date"),
                    ExportColumn("trigger_point", .boolean, "Iliac-crest trigger point reproduces the complaint"),
                    ExportColumn("trigger_point_distance_cm", .decimal, unit: "cm", "Its distance from the midline"),
                ]
                + [
                    "lateral_bending_positive", "pelvic_rotation_positive", "single_leg_stance_positive", "straight_leg_raise_positive",
                    "strength_normal", "reflexes_normal",
                ].map { ExportColumn($0, .boolean, "Examination: " + $0.replacingOccurrences(of: "_", with: " ")) }
        case .findingsUltrasound:
            columns = [
                Self.course, Self.patient, ExportColumn("finding_date", .date, "Date"),
                ExportColumn("nerve_csa_mm2", .decimal, unit: "mm²", "Nerve cross-sectional area"),
                ExportColumn("flattening", .boolean, "Nerve flattening"),
                ExportColumn("restricted_gliding", .boolean, "Restricted gliding on dynamic scan"),
                ExportColumn("fascia_thickness_mm", .decimal, unit: "mm", "Thoracolumbar fascia thickness"),
                ExportColumn("fascia_adhesion", .boolean, "Fascia adhesion"),
                ExportColumn("tunnel_narrowing", .boolean, "Iliac-crest tunnel narrowing"),
            ]
        }
        return columns
    }

    public func header(notes: Bool, dates: ExportDates) -> String {
        CSV.record(columns(notes: notes).map { $0.exportedName(dates) })
    }

    /// codebook.csv: every column of every table, with type, unit, codes, meaning and how missing is shown.
    public static func codebook(notes: Bool, dates: ExportDates) -> String {
        var text = CSV.record(["table", "column", "type", "unit", "codes", "meaning", "missing"])
        for table in allCases {
            for column in table.columns(notes: notes) {
                text += CSV.record([
                    table.rawValue, column.exportedName(dates), column.exportedType(dates), column.unit,
                    column.codes.map { "\($0.0)=\($0.1)" }.joined(separator: "; "),
                    column.meaning + (dates == .relative && (column.kind == .date || column.kind == .datetime) ? " (days from course start)" : ""),
                    "empty field",
                ])
            }
        }
        return text
    }
}
