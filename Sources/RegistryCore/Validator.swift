import Foundation

/// Collects every problem in one pass, so a form with three mistakes reports all three at once.
///
/// Each check returns the validated value, or nil after recording why it is not valid; callers
/// build their result only when `problems` stays empty (see `finish`).
public struct Validator: Sendable {
    public private(set) var problems: [FieldProblem] = []
    /// Prefix for nested objects, such as `procedures[0].`.
    private let prefix: String

    public init(prefix: String = "") { self.prefix = prefix }

    public mutating func fail(_ field: String, _ rule: String, _ message: String) {
        problems.append(FieldProblem(field: prefix + field, rule: rule, message: message))
    }

    /// Merges the problems of a nested validator.
    public mutating func absorb(_ other: Validator) { problems += other.problems }

    public func nested(_ field: String) -> Validator { Validator(prefix: prefix + field) }

    public mutating func required<T>(_ value: T?, _ field: String) -> T? {
        if value == nil { fail(field, "required", "is required") }
        return value
    }

    public mutating func integer(_ value: Int?, _ field: String, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let value else {
            if required { fail(field, "required", "is required") }
            return nil
        }
        guard range.contains(value) else {
            fail(field, "range", "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A positive amount no larger than `maximum`, such as a volume in mL.
    public mutating func amount(
        _ value: Decimal?, _ field: String, maximum: Decimal, unit: String, decimals: Int = 1, required: Bool = true
    ) -> Decimal? {
        guard let value else {
            if required { fail(field, "required", "is required") }
            return nil
        }
        guard value > 0, value <= maximum else {
            fail(field, "range", "must be more than 0 and at most \(maximum) \(unit)")
            return nil
        }
        guard value == value.rounded(scale: decimals) else {
            fail(field, "precision", "must have at most \(decimals) decimal place\(decimals == 1 ? "" : "s")")
            return nil
        }
        return value
    }

    public mutating func coded<T: CodedValue>(_ value: String?, _ field: String, as type: T.Type, required: Bool = true) -> T? {
        guard let value else {
            if required { fail(field, "required", "is required") }
            return nil
        }
        guard let coded = T(rawValue: value) else {
            fail(field, "one_of", "must be one of: \(T.allowed.joined(separator: ", "))")
            return nil
        }
        return coded
    }

    /// A calendar date that is not after `today`.
    public mutating func date(_ value: String?, _ field: String, notAfter today: CalendarDate, required: Bool = true) -> CalendarDate? {
        guard let value else {
            if required { fail(field, "required", "is required") }
            return nil
        }
        guard let date = CalendarDate(iso: value) else {
            fail(field, "date", "must be a date written YYYY-MM-DD")
            return nil
        }
        guard date <= today else {
            fail(field, "not_in_future", "must not be after today (\(today))")
            return nil
        }
        guard date.year >= 1900 else {
            fail(field, "range", "must not be before 1900")
            return nil
        }
        return date
    }

    /// An optional UUID given as text (a query parameter or a CLI option).
    public mutating func uuid(_ text: String?, _ field: String) -> UUID? {
        guard let text else { return nil }
        guard let id = UUID(uuidString: text) else {
            fail(field, "format", "must be a UUID")
            return nil
        }
        return id
    }

    /// An optional `YYYY-MM-DD` given as text, for filters (any date, past or future).
    public mutating func day(_ text: String?, _ field: String) -> CalendarDate? {
        guard let text else { return nil }
        guard let date = CalendarDate(iso: text) else {
            fail(field, "date", "must be a date written YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// A span of two optional days (filters), the first not after the last: the one rule the
    /// dashboard, the exports and the CLI apply to a from–to range.
    public mutating func days(_ from: String?, _ fromField: String, to: String?, _ toField: String) -> (from: CalendarDate?, to: CalendarDate?) {
        let start = day(from, fromField), end = day(to, toField)
        if let start, let end, start > end { fail(fromField, "order", "must not be after \(toField) (\(end))") }
        return (start, end)
    }

    public mutating func text(_ value: String?, _ field: String, maxLength: Int, required: Bool = false) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            if required { fail(field, "required", "is required") }
            return nil
        }
        // Counted as PostgreSQL's char_length counts (code points), so the database's limit is
        // never the one that refuses: an emoji with a skin tone is one Character but two.
        let length = value.unicodeScalars.count
        guard length <= maxLength else {
            fail(field, "max_length", "must be at most \(maxLength) characters (got \(length))")
            return nil
        }
        // A NUL cannot be stored in PostgreSQL text; other control characters (but line breaks
        // and tabs) are never meant in a clinical note.
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !["\n", "\r", "\t"].contains($0) }) else {
            fail(field, "characters", "must not contain control characters")
            return nil
        }
        // Direction overrides and isolates make text display in an order other than the one stored.
        guard !value.unicodeScalars.contains(where: { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }) else {
            fail(field, "characters", "must not contain text-direction controls")
            return nil
        }
        return value
    }

    /// A person's name: text with at least one letter and no invisible formatting characters
    /// (a soft hyphen or byte-order mark alone would show as an empty name).
    public mutating func name(_ value: String?, _ field: String, maxLength: Int) -> String? {
        guard let name = text(value, field, maxLength: maxLength, required: true) else { return nil }
        guard name.unicodeScalars.contains(where: { $0.properties.isAlphabetic }),
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .format })
        else {
            fail(field, "characters", "must contain a letter and no invisible formatting characters")
            return nil
        }
        return name
    }

    public mutating func pattern(_ value: String?, _ field: String, regex: String, explanation: String) -> String? {
        guard let value else {
            fail(field, "required", "is required")
            return nil
        }
        guard value.range(of: "^(\(regex))$", options: .regularExpression) != nil else {
            fail(field, "format", explanation)
            return nil
        }
        return value
    }

    /// Returns `build()` when no rule was broken, otherwise throws every problem found.
    public func finish<T>(_ build: () -> T) throws(ValidationFailure) -> T {
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return build()
    }
}

extension Decimal {
    func rounded(scale: Int) -> Decimal {
        var input = self
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }
}
