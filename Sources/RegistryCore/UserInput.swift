import Foundation

/// A new account as an admin types it. The password's length is checked where it is hashed
/// (`AccountRepository.checkPassword`), against the configured minimum.
public struct UserInput: Codable, Sendable {
    public var username: String?
    public var displayName: String?
    public var role: String?
    /// Site codes separated by commas or spaces.
    public var sites: String?
    public var password: String?

    public init(username: String? = nil, displayName: String? = nil, role: String? = nil, sites: String? = nil, password: String? = nil) {
        self.username = username
        self.displayName = displayName
        self.role = role
        self.sites = sites
        self.password = password
    }

    public func validated() throws(ValidationFailure) -> NewUser {
        var v = Validator()
        let username = v.pattern(username, "username", regex: "[a-z0-9._-]{3,64}", explanation: "must be 3 to 64 of a-z, 0-9, '.', '_' or '-'")
        let displayName = v.name(displayName, "displayName", maxLength: TextLimit.name)
        let role = v.coded(role, "role", as: Role.self)
        let codes = (sites ?? "").split { $0 == "," || $0 == " " }.map { $0.uppercased() }
        if let role, role.siteBound, codes.isEmpty { v.fail("sites", "required", "a \(role.rawValue) needs at least one site") }
        let password = v.required(password.flatMap { $0.isEmpty ? nil : $0 }, "password")
        return try v.finish { NewUser(username: username!, displayName: displayName!, role: role!, siteCodes: codes, password: password!) }
    }
}

public struct NewUser: Sendable, Equatable {
    public let username: String
    public let displayName: String
    public let role: Role
    public let siteCodes: [String]
    public let password: String
}

/// An API token as an admin issues it.
public struct TokenInput: Codable, Sendable {
    public var username: String?
    public var label: String?
    public var days: Int?

    public init(username: String? = nil, label: String? = nil, days: Int? = nil) {
        self.username = username
        self.label = label
        self.days = days
    }

    public func validated() throws(ValidationFailure) -> (username: String, label: String, days: Int) {
        var v = Validator()
        let username = v.required(username, "username")
        let label = v.text(label, "label", maxLength: 100, required: true)
        let days = v.integer(days, "days", in: 1...365)
        return try v.finish { (username!, label!, days!) }
    }
}
