import Foundation

/// One audit row. `before` and `after` are the JSON the database recorded, verbatim.
public struct AuditEntry: Sendable {
    public let id: Int64
    public let at: Date
    public let actorId: UUID?
    public let actor: String
    public let action: String
    public let route: String
    public let recordTable: String?
    public let recordId: UUID?
    public let before: String?
    public let after: String?

    public init(
        id: Int64, at: Date, actorId: UUID?, actor: String, action: String, route: String, recordTable: String?, recordId: UUID?,
        before: String?, after: String?
    ) {
        self.id = id
        self.at = at
        self.actorId = actorId
        self.actor = actor
        self.action = action
        self.route = route
        self.recordTable = recordTable
        self.recordId = recordId
        self.before = before
        self.after = after
    }

    /// As a JSON object, with `before` and `after` embedded as JSON rather than strings.
    public var json: [String: Any] {
        var object: [String: Any] = ["id": id, "at": ISO8601DateFormatter().string(from: at), "actor": actor, "action": action, "route": route]
        object["actorId"] = actorId?.uuidString.lowercased()
        object["recordTable"] = recordTable
        object["recordId"] = recordId?.uuidString.lowercased()
        object["before"] = before.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
        object["after"] = after.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
        return object
    }
}
