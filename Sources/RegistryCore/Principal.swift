import Foundation

/// An authenticated user: who they are, their role, and the sites they work at.
public struct Principal: Sendable, Equatable {
    public let userId: UUID
    public let username: String
    public let role: Role
    public let siteIds: Set<UUID>

    public init(userId: UUID, username: String, role: Role, siteIds: Set<UUID>) {
        self.userId = userId
        self.username = username
        self.role = role
        self.siteIds = siteIds
    }

    /// The audit trail's "who", for a request on `route`.
    public func actor(_ route: String) -> Actor { Actor(userId: userId, label: username, route: route) }
}

/// What a route needs. Each role gets only what its work requires.
public enum Capability: String, Sendable, CaseIterable {
    /// Clinical records (courses, blocks, sessions, scores, findings, events) at one's own sites.
    case readClinical, writeClinical
    /// Names, MRN, date of birth and contact details.
    case readIdentity
    /// Aggregate outcome reports.
    case runReports
    /// De-identified research exports.
    case export
    case readAudit
    case manageUsers
}

extension Role {
    public var capabilities: Set<Capability> {
        switch self {
        case .clinician: [.readClinical, .writeClinical, .readIdentity]
        case .manager: [.readClinical, .readIdentity, .runReports, .export]
        case .researcher: [.runReports, .export]
        case .admin: [.readAudit, .manageUsers, .export]
        }
    }

    /// Whether the role's reach stops at the user's own sites. Researchers work on the whole
    /// (de-identified, aggregate) registry; admins manage it.
    public var siteBound: Bool { self == .clinician || self == .manager }
}

extension Principal {
    public func may(_ capability: Capability) -> Bool { role.capabilities.contains(capability) }

    /// The sites whose records this principal may see; nil means every site.
    public var siteScope: Set<UUID>? { role.siteBound ? siteIds : nil }
}
