import Foundation

/// Which audit rows to read: any combination of record, user and time range, newest first.
public struct AuditQuery: Sendable {
    public var recordId: UUID?
    public var username: String?
    public var from: Date?
    public var to: Date?
    /// Resume below this id (the previous page's last).
    public var beforeId: Int64?
    public var limit: Int

    public init(recordId: UUID? = nil, username: String? = nil, from: Date? = nil, to: Date? = nil, beforeId: Int64? = nil, limit: Int = 100) {
        self.recordId = recordId
        self.username = username
        self.from = from
        self.to = to
        self.beforeId = beforeId
        self.limit = limit
    }
}

extension AuditQuery {
    /// Reads the filter from text (query parameters or CLI options), naming each malformed one.
    public static func parse(
        recordId: String?, username: String?, from: String?, to: String?, before: String?,
        limit: String?
    ) throws(ValidationFailure) -> AuditQuery {
        var v = Validator()
        func instant(_ text: String?, _ field: String) -> Date? {
            guard let text else { return nil }
            if let day = CalendarDate(iso: text) { return Date(timeIntervalSince1970: Double(day.dayNumber) * 86400) }
            guard let date = Instant.parse(text) else {
                v.fail(field, "date_time", "must be a date (YYYY-MM-DD, UTC) or date and time such as 2026-03-01T09:30:00Z")
                return nil
            }
            return date
        }
        var query = AuditQuery()
        query.recordId = v.uuid(recordId, "recordId")
        query.username = username
        query.from = instant(from, "from")
        query.to = instant(to, "to")
        if let before {
            query.beforeId = Int64(before)
            if query.beforeId == nil { v.fail("before", "format", "must be an audit entry id") }
        }
        if let limit {
            if let value = Int(limit), (1...1000).contains(value) { query.limit = value } else { v.fail("limit", "range", "must be from 1 to 1000") }
        }
        return try v.finish { query }
    }
}
