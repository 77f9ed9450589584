import Foundation
import RegistryCore

extension Pages {
    /// A page holding one form (register a patient, open a course, add, correct or void a record).
    /// `back` is where "cancel" leads; `context` is a line saying what the form is about.
    public func formPage(_ language: Language, viewer: Viewer, form: FilledForm, back: String, context: String) throws -> String {
        var values = formValues(form, language)
        values["heading"] = false
        return try render(
            "form-page", language,
            [
                "title": catalogue.text(form.spec.titleKey, language), "viewer": viewer, "back": back,
                "context": context, "form": values,
            ])
    }

    /// The form's template values: every field with its label, hint, what was typed, its choices
    /// (the typed one checked) and its problem in the page's language; the problems again in a
    /// summary linking to their fields.
    func formValues(_ form: FilledForm, _ language: Language) -> [String: Any] {
        var errors: [String: String] = [:], summary: [[String: String]] = []
        let labels = Dictionary(form.spec.fields.map { ($0.name, $0.labelKey) }) { first, _ in first }
        for problem in form.problems {
            // A problem on a field the form does not show (a whole procedure list) goes on the first field under it.
            let field =
                labels[problem.field] != nil
                ? problem.field
                : form.spec.fields.first { $0.name.hasPrefix(problem.field) }?.name ?? form.spec.fields.first { $0.kind.isVisible }?.name
                    ?? problem.field
            let message = self.message(
                problem, kind: form.spec.fields.first { $0.name == field }?.kind, label: catalogue.text(labels[field] ?? field, language), language)
            if errors[field] == nil { errors[field] = message }
            summary.append(["id": Self.id(field), "message": message])
        }
        let groups: [[String: Any]] = form.spec.groups.map { group in
            var values: [String: Any] = [
                "fields": group.fields.map { field in
                    fieldValues(
                        field, typed: form.values[field.name] ?? "", error: errors[field.name], link: form.fieldLinks[field.name],
                        appliesTo: group.kinds[field.name], allowsBlank: form.method == "get", thresholds: form.data, language)
                }
            ]
            if let legend = group.legendKey { values["legend"] = catalogue.text(legend, language) }
            return values
        }
        var values: [String: Any] = [
            "title": catalogue.text(form.spec.titleKey, language), "action": form.action, "csrf": form.csrf, "idempotencyKey": form.idempotencyKey,
            "carried": form.carried.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
            "data": form.data.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
            "groups": groups, "errors": summary, "hasErrors": !summary.isEmpty, "heading": true, "relief": form.data["positive-relief"] != nil,
            "method": form.method, "isPost": form.method == "post", "submit": catalogue.text(form.submitKey, language),
        ]
        if let notice = form.noticeKey { values["notice"] = catalogue.text(notice, language) }
        return values
    }

    /// `allowsBlank`: a filter, where no choice means all.
    /// `thresholds`: the form's configured values (the block's assessment window), which a hint
    /// names when its catalogue has a `…Window` sentence and the form carries them.
    private func fieldValues(
        _ field: FormField, typed: String, error: String?, link: FilledForm.FieldLink?, appliesTo: [String]?, allowsBlank: Bool,
        thresholds: [String: String], _ language: Language
    ) -> [String: Any] {
        let hint = field.hintKey.map { key in
            thresholds["window-minimum"] != nil && catalogue.strings[language]?[key + "Window"] != nil
                ? catalogue.text(key + "Window", language, thresholds) : catalogue.text(key, language)
        }
        // Every key a template asks for is present (false when empty): a key missing here makes
        // the renderer search every enclosing context, which dominates a page's rendering time.
        var values: [String: Any] = [
            "name": field.name, "id": Self.id(field.name), "label": catalogue.text(field.labelKey, language), "value": typed,
            "hint": hint ?? false, "error": error ?? false, "link": link.map { ["text": $0.text, "href": $0.href] } ?? false,
            "appliesTo": appliesTo?.joined(separator: " ") ?? false,
            "isHidden": false, "isRadio": false, "isScale": false, "isMenu": false, "isNotes": false, "input": false,
        ]
        func choices(_ options: [(value: String, label: String)]) -> [[String: Any]] {
            options.map { ["value": $0.value, "label": $0.label, "checked": $0.value == typed, "name": field.name] }
        }
        func coded(_ codes: [String], _ prefix: String) -> [(value: String, label: String)] {
            codes.map { ($0, catalogue.text(prefix + $0, language)) }
        }
        switch field.kind {
        case .hidden: values["isHidden"] = true
        case .scale:
            values["isScale"] = true
            values["choices"] = choices((0...10).map { (String($0), String($0)) })
        case .choice(let codes, let prefix):
            values["isRadio"] = true
            values["choices"] = choices(coded(codes, prefix))
        case .yesNo:
            values["isRadio"] = true
            values["choices"] = choices([("yes", catalogue.text("yes", language)), ("no", catalogue.text("no", language))])
        case .menu(let codes, let prefix):
            values["isMenu"] = true
            values["choices"] = choices([("", "–")] + coded(codes, prefix))
        case .select(let options):
            values["isMenu"] = true
            values["choices"] = choices(options.count == 1 && !allowsBlank ? options : [("", "–")] + options)
        case .notes: values["isNotes"] = true
        case .text(let maxLength): values["input"] = input(["type": "text", "maxlength": String(maxLength)], values)
        case .password: values["input"] = input(["type": "password", "autocomplete": "new-password"], values)
        // A browser shows a date field holding what is not a date as empty; a text field shows what was typed.
        case .date: values["input"] = input(["type": typed.isEmpty || CalendarDate(iso: typed) != nil ? "date" : "text"], values)
        case .dateTime: values["input"] = input(["type": "datetime-local"], values)
        case .integer(let range):
            values["input"] = input(
                ["type": "number", "min": String(range.lowerBound), "max": String(range.upperBound), "step": "1", "inputmode": "numeric"], values)
        case .decimal(let maximum, let step):
            values["input"] = input(["type": "number", "min": "0", "max": "\(maximum)", "step": step, "inputmode": "decimal"], values)
        }
        // What the field holds as a reader would say it (a choice's label, not its code), for the
        // printed summary of a filter; false when empty.
        let chosen = (values["choices"] as? [[String: Any]])?.first { $0["checked"] as? Bool == true }?["label"] as? String
        values["shown"] = typed.isEmpty ? false : chosen ?? typed
        // A record chosen from a list (a site, a clinician) is shown by its name.
        if case .select = field.kind { values["shownIsName"] = true } else { values["shownIsName"] = false }
        return values
    }

    /// An input's attributes, with the field's own values alongside (see `fieldValues`).
    private func input(_ attributes: [String: Any], _ field: [String: Any]) -> [String: Any] {
        var all: [String: Any] = ["maxlength": false, "min": false, "max": false, "step": false, "inputmode": false, "autocomplete": false]
        all.merge(attributes) { _, new in new }
        for key in ["id", "name", "value"] { all[key] = field[key] }
        return all
    }

    /// A problem in the page's language: the catalogue's sentence for its rule when there is
    /// one, else the label and the API's own words.
    /// A field's `kind` gives the sentence its range and an example.
    func message(_ problem: FieldProblem, kind: FormField.Kind? = nil, label: String, _ language: Language) -> String {
        var key = "error_" + problem.rule
        var values = ["field": label, "message": problem.message, "example": "5"]
        switch (problem.rule, kind) {
        case ("required", _) where label.hasSuffix("?") || label.hasSuffix("？"): key = "error_required_question"
        case ("range", .integer(let range)?):
            key = "error_range_integer"
            values.merge(["min": "\(range.lowerBound)", "max": "\(range.upperBound)"]) { $1 }
        case ("range", .decimal(let maximum, _)?):
            key = "error_range_decimal"
            values["max"] = "\(maximum)"
        case ("type", .decimal?): values["example"] = "2.5"
        case ("min_length", _): values["min"] = problem.message.firstMatch(of: /\d+/).map { String($0.output) } ?? ""
        case ("not_in_future", _):
            // The API's sentence ends with today's date; the page's says it too.
            values["today"] = problem.message.firstMatch(of: /\d{4}-\d{2}-\d{2}/).map { String($0.output) } ?? ""
        default: break
        }
        if catalogue.strings[language]?[key] == nil { key = "error_other" }
        return catalogue.text(key, language, values)
    }

    /// An element id for a field name (`procedures[0].kind` → `procedures-0-kind`).
    static func id(_ name: String) -> String {
        name.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "").replacingOccurrences(of: ".", with: "-")
    }
}

extension FormField.Kind {
    public var isVisible: Bool {
        if case .hidden = self { return false }
        return true
    }
}
