import RegistryCore

/// The pain-score form of the course page: what was typed (kept when a rule is broken), the
/// problems beside their fields, the CSRF token and the form's own idempotency key.
public struct PainScoreForm: Sendable {
    public var csrf: String
    public var idempotencyKey: String
    /// Field name → what was typed (recordedOn, timepoint, nrs, odi, pgic).
    public var values: [String: String]
    public var problems: [FieldProblem]

    public init(csrf: String, idempotencyKey: String, values: [String: String], problems: [FieldProblem] = []) {
        self.csrf = csrf
        self.idempotencyKey = idempotencyKey
        self.values = values
        self.problems = problems
    }

    static let fields = ["nrs": "nrsLegend", "recordedOn": "recordedOn", "timepoint": "timepoint", "odi": "odi", "pgic": "pgic"]
}

extension Pages {
    /// The form's template values: choices with the typed ones checked, each problem in the
    /// page's language beside its field and in the summary.
    func painScoreValues(_ form: PainScoreForm, courseId: String, language: Language) -> [String: Any] {
        var values: [String: Any] = ["csrf": form.csrf, "idempotencyKey": form.idempotencyKey, "courseId": courseId,
                                     "recordedOn": form.values["recordedOn"] ?? "", "odi": form.values["odi"] ?? "", "pgic": form.values["pgic"] ?? ""]
        values["nrsChoices"] = (0...10).map { ["value": $0, "checked": form.values["nrs"] == String($0)] }
        values["timepoints"] = Timepoint.allCases.map { point in
            ["value": point.rawValue, "label": catalogue.text("timepoint_" + point.rawValue, language),
             "checked": (form.values["timepoint"] ?? Timepoint.followUp.rawValue) == point.rawValue]
        }
        var summary: [[String: String]] = []
        for problem in form.problems {
            let field = PainScoreForm.fields[problem.field] != nil ? problem.field : "nrs"
            let label = catalogue.text(PainScoreForm.fields[field] ?? field, language)
            let message = catalogue.strings[language]?["error_" + problem.rule] != nil
                ? catalogue.text("error_" + problem.rule, language, ["field": label]) : "\(label): \(problem.message)"
            if values[field + "Error"] == nil { values[field + "Error"] = message }
            summary.append(["field": field, "message": message])
        }
        values["errors"] = summary
        values["hasErrors"] = !summary.isEmpty
        return values
    }
}
