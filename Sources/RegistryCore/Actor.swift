import Foundation

/// Who is making a change, for the audit trail: a user, or a named process such as `seed`.
public struct Actor: Sendable, Hashable {
    public let userId: UUID?
    public let label: String
    /// The route or command, such as `POST /api/v1/courses`.
    public let route: String

    public init(userId: UUID?, label: String, route: String) {
        self.userId = userId
        self.label = label
        self.route = route
    }

    /// The start of the label of a patient acting through their link: `follow-up link <link id>`.
    public static let patientLinkLabel = "follow-up link "
    public static let outboxLabel = "outbox"

    /// A patient answering or opting out through the link `linkId` (no account: the link names them).
    public static func patientLink(_ linkId: UUID, route: String) -> Actor {
        Actor(userId: nil, label: patientLinkLabel + linkId.uuidString.lowercased(), route: route)
    }

    /// The follow-up outbox making a message's link.
    public static let outbox = Actor(userId: nil, label: outboxLabel, route: "follow-up outbox")
}
