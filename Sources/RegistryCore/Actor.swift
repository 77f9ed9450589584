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
}
