import Foundation

/// Keyset pagination: newest first, resumed after the last item seen.
///
/// A cursor names the last item's creation instant (in microseconds, PostgreSQL's precision)
/// and id, so pages stay stable while clinicians keep adding records.
public struct PageRequest: Sendable, Equatable {
    public struct Cursor: Sendable, Equatable {
        public let createdMicros: Int64
        public let id: UUID

        public init(createdMicros: Int64, id: UUID) {
            self.createdMicros = createdMicros
            self.id = id
        }

        public var text: String { "\(createdMicros)_\(id.uuidString.lowercased())" }

        public init?(text: String) {
            let parts = text.split(separator: "_")
            guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
            self.init(createdMicros: micros, id: id)
        }
    }

    public static let maximumLimit = 200
    public let limit: Int
    public let after: Cursor?

    public init(limit: Int = 50, after: Cursor? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads `limit` and `cursor` query parameters.
    public static func parse(limit: String?, cursor: String?) throws(ValidationFailure) -> PageRequest {
        var v = Validator()
        var parsedLimit = 50
        if let limit {
            if let value = Int(limit), (1...maximumLimit).contains(value) {
                parsedLimit = value
            } else {
                v.fail("limit", "range", "must be a whole number from 1 to \(maximumLimit)")
            }
        }
        var parsedCursor: Cursor?
        if let cursor {
            parsedCursor = Cursor(text: cursor)
            if parsedCursor == nil { v.fail("cursor", "format", "is not a cursor this registry issued; start again without it") }
        }
        return try v.finish { PageRequest(limit: parsedLimit, after: parsedCursor) }
    }
}
