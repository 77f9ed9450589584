import Foundation

/// The web app's own addresses, built in one place (the templates write the same ones with
/// their ids filled in).
public enum Paths {
    public static let login = "/login"
    public static let home = "/home"
    public static let followUps = "/follow-ups"
    public static let outcomes = "/reports/outcomes"
    public static let exports = "/exports"
    public static let users = "/admin/users"
    public static let tokens = "/admin/tokens"
    public static let audit = "/admin/audit"

    public static func patient(_ id: UUID) -> String { "/patients/\(id.uuidString.lowercased())" }
    public static func course(_ id: UUID) -> String { "/courses/\(id.uuidString.lowercased())" }
    /// A record of a course, under which its correction and void forms live.
    public static func record(_ segment: String, _ id: UUID, in courseId: UUID) -> String {
        "\(course(courseId))/\(segment)/\(id.uuidString.lowercased())"
    }
    public static func patientLink(_ token: String) -> String { "/f/\(token)" }
}
