import Foundation

/// A date and time as the API takes it: RFC 3339 (`2026-03-01T09:30:00Z`, `…09:30:00.250+08:00`).
public enum Instant {
    /// The instant, or nil for text that is not one, including times the calendar does not have:
    /// 30 February, hour 25, a leap second, an offset beyond ±14:00. Foundation's parser would
    /// carry those into the next day or month.
    public static func parse(_ text: String) -> Date? {
        guard let parts = text.wholeMatch(of: shape),
            CalendarDate(year: Int(parts.1)!, month: Int(parts.2)!, day: Int(parts.3)!) != nil,
            Int(parts.4)! < 24, Int(parts.5)! < 60, Int(parts.6)! < 60
        else { return nil }
        if let hours = parts.9, let minutes = parts.10, Int(hours)! > 14 || Int(minutes)! >= 60 { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    nonisolated(unsafe) private static let shape = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))/
}
