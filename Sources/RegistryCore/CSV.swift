/// RFC 4180 CSV: fields containing a comma, quote, CR or LF are quoted with quotes doubled;
/// records end in CRLF; a missing value is an empty field.
///
/// Researchers open these files in spreadsheets, which run a cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return as a formula. Such a text cell is written with a leading
/// apostrophe (OWASP's rule for CSV injection), so it shows as the text it is; a number such as
/// `-14.6` stays a number. Schema/functions/csv_field.sql applies the same rule to the text the database formats.
public enum CSV {
    public static func field(_ value: String?) -> String {
        guard let value else { return "" }
        let text = inert(value)
        // Scalars, not Characters: "\r\n" is a single Character in Swift.
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func record(_ values: [String?]) -> String {
        values.map(field).joined(separator: ",") + "\r\n"
    }

    /// The cell as a spreadsheet will not run it.
    static func inert(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, formulaStarts.contains(first),
            value.wholeMatch(of: number) == nil
        else { return value }
        return "'" + value
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    nonisolated(unsafe) private static let number = /[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/
}
