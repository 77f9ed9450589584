import Foundation
import RegistryCore

/// Between what a form holds (text, as typed) and what the API takes and gives (JSON): one
/// conversion both ways, so the pages need no rules of their own.
extension FormSpec {
    /// The typed values as the API's JSON input. Blank fields are left out, or sent as null
    /// when `blanksAsNull` (a correction that clears an optional field); numbers and yes/no are
    /// parsed, and a field holding something else is a `type` problem on that field; a trailing
    /// repeated group left empty (the spare procedure rows) is dropped.
    public func json(_ typed: [String: String], clinicZone: TimeZone, blanksAsNull: Bool = false) throws(ValidationFailure) -> Data {
        let (json, malformed) = parsed(typed, clinicZone: clinicZone, blanksAsNull: blanksAsNull)
        guard malformed.isEmpty else { throw ValidationFailure(malformed) }
        return json
    }

    /// `json`, with the fields that could not be parsed left out and named as `type` problems,
    /// so the input's own rules can still be checked on the rest and every problem shown at once.
    public func parsed(_ typed: [String: String], clinicZone: TimeZone, blanksAsNull: Bool = false) -> (json: Data, malformed: [FieldProblem]) {
        var root: Any = [String: Any]()
        var problems: [FieldProblem] = []
        for field in fields {
            let text = (typed[field.name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let value: Any
            if text.isEmpty {
                guard blanksAsNull, !field.name.contains("[") else { continue }
                value = NSNull()
            } else if let parsed = field.kind.parse(text, clinicZone: clinicZone) {
                value = parsed
            } else {
                problems.append(FieldProblem(field: field.name, rule: "type", message: field.kind.expectation))
                continue
            }
            root = Self.set(value, at: FieldPath(field.name).parts[...], in: root)
        }
        // Serialising a dictionary of JSON values cannot fail.
        let json = (try? JSONSerialization.data(withJSONObject: Self.droppingEmptyTails(root), options: [.sortedKeys])) ?? Data("{}".utf8)
        return (json, problems)
    }

    /// A record as the API shows it (JSON), as the form's typed values: for editing it.
    /// Findings sections are read from the record's top level, where the timeline puts them.
    public func typed(fromRecord record: [String: Any], clinicZone: TimeZone) -> [String: String] {
        var typed: [String: String] = [:]
        for field in fields {
            let parts = FieldPath(field.name).parts
            guard
                let value = Self.value(at: parts[...], in: record)
                    ?? parts.last.flatMap({ part in
                        if case .key(let key) = part { return record[key] } else { return nil }
                    }), !(value is NSNull)
            else { continue }
            typed[field.name] = field.kind.text(value, clinicZone: clinicZone)
        }
        return typed
    }

    static func set(_ value: Any, at path: ArraySlice<FieldPath.Part>, in node: Any?) -> Any {
        guard let head = path.first else { return value }
        switch head {
        case .key(let key):
            var object = node as? [String: Any] ?? [:]
            object[key] = set(value, at: path.dropFirst(), in: object[key])
            return object
        case .index(let index):
            var array = node as? [Any] ?? []
            while array.count <= index { array.append([String: Any]()) }
            array[index] = set(value, at: path.dropFirst(), in: array[index])
            return array
        }
    }

    static func value(at path: ArraySlice<FieldPath.Part>, in node: Any?) -> Any? {
        guard let head = path.first else { return node }
        switch head {
        case .key(let key): return value(at: path.dropFirst(), in: (node as? [String: Any])?[key])
        case .index(let index):
            guard let array = node as? [Any], array.indices.contains(index) else { return nil }
            return value(at: path.dropFirst(), in: array[index])
        }
    }

    static func droppingEmptyTails(_ node: Any) -> Any {
        if let object = node as? [String: Any] { return object.mapValues(droppingEmptyTails) }
        guard var array = node as? [Any] else { return node }
        // In a list of plain values (channels in order of preference) a choice left blank is not
        // sent, wherever it is; in a list of groups only the empty ones at the end are dropped.
        if array.contains(where: { !($0 is [String: Any]) }) { return array.filter { !($0 is [String: Any]) } }
        while let last = array.last as? [String: Any], last.isEmpty { array.removeLast() }
        return array.map(droppingEmptyTails)
    }
}

/// `procedures[0].kind` as its parts: key `procedures`, index 0, key `kind`.
struct FieldPath {
    enum Part { case key(String), index(Int) }
    let parts: [Part]

    init(_ name: String) {
        var parts: [Part] = []
        for piece in name.split(separator: ".") {
            let pieces = piece.split(separator: "[")
            parts.append(.key(String(pieces[0])))
            for index in pieces.dropFirst() { parts.append(.index(Int(index.dropLast()) ?? 0)) }
        }
        self.parts = parts
    }
}

extension FormField.Kind {
    /// The JSON value of typed text, or nil when the text is not of this kind.
    func parse(_ text: String, clinicZone: TimeZone) -> Any? {
        switch self {
        case .integer, .scale: return Int(text)
        case .decimal: return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")).map { NSDecimalNumber(decimal: $0) }
        case .yesNo: return ["yes": true, "no": false][text]
        case .dateTime: return Self.instant(text, clinicZone) ?? text
        default: return text
        }
    }

    /// What `parse` wanted, in the API's words.
    var expectation: String {
        switch self {
        case .integer, .scale: "must be a whole number"
        case .decimal: "must be a number such as 2.5"
        case .yesNo: "must be yes or no"
        default: "has the wrong form"
        }
    }

    /// A JSON value as the form shows it.
    func text(_ value: Any, clinicZone: TimeZone) -> String {
        switch (self, value) {
        case (.yesNo, let flag as Bool): return flag ? "yes" : "no"
        case (.dateTime, let text as String): return Self.local(text, clinicZone) ?? text
        case (_, let number as NSNumber): return number.stringValue
        default: return "\(value)"
        }
    }

    /// `2026-03-01T09:30` on the clinic's clock as an ISO instant; already-zoned text passes as typed.
    static func instant(_ text: String, _ zone: TimeZone) -> String? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = text.count > 16 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm"
        guard let date = formatter.date(from: text) else { return nil }
        return ISO8601DateFormatter().string(from: date)
    }

    /// An ISO instant as `datetime-local` text on the clinic's clock.
    static func local(_ text: String, _ zone: TimeZone) -> String? {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = parser.date(from: text) ?? ISO8601DateFormatter().date(from: text) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }
}
