import Foundation

/// An API token as an admin sees it: never the token itself, which only its hash is kept of.
public struct TokenRecord: Sendable {
    public let id: UUID
    public let username: String
    public let label: String
    public let createdAt: Date
    public let expiresAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public init(id: UUID, username: String, label: String, createdAt: Date, expiresAt: Date, lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.username = username
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
