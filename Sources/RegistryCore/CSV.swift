/// RFC 4180 CSV: fields containing a comma, quote, CR or LF are quoted with quotes doubled;
/// records end in CRLF; a missing value is an empty field.
public enum CSV {
    public static func field(_ value: String?) -> String {
        guard let value else { return "" }
        // Scalars, not Characters: "\r\n" is a single Character in Swift.
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func record(_ values: [String?]) -> String {
        values.map(field).joined(separator: ",") + "\r\n"
    }
}
