import PostgresNIO

/// Failures a caller can act on. Everything else from the database is a bug (500).
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The record (or the course it belongs to) does not exist, or is not visible to the caller.
    case notFound(String)
    /// A UNIQUE constraint: the field that clashed and what clashed.
    case conflict(field: String, message: String)
    /// A CHECK or FOREIGN KEY the application did not catch first: the constraint's name.
    case constraint(name: String, message: String)
    /// The same Idempotency-Key was sent with another request body.
    case idempotencyKeyReused
    case configuration(String)
    case schemaOutdated(String)
    /// No connection could be had in time: the database is down or unreachable.
    case unavailable

    public var description: String {
        switch self {
        case .notFound(let what): "\(what) not found"
        case .conflict(_, let message): message
        case .constraint(let name, let message): "\(message) (constraint \(name))"
        case .idempotencyKeyReused: "this Idempotency-Key was already used with a different request"
        case .configuration(let message): message
        case .schemaOutdated(let message): message
        case .unavailable: "the database did not answer in time"
        }
    }

    /// Maps integrity violations and unavailability to `StoreError`; returns nil for anything else.
    static func from(_ error: any Error) -> StoreError? {
        if let storeError = error as? StoreError { return storeError }
        guard let psql = error as? PSQLError else { return nil }
        // No server answer at all (refused, dropped), or the server saying it cannot serve now:
        // connection exceptions (08), insufficient resources (53), operator intervention such as
        // a statement timeout (57).
        guard let info = psql.serverInfo, let state = info[.sqlState] else { return .unavailable }
        if ["08", "53", "57"].contains(String(state.prefix(2))) { return .unavailable }
        let constraint = info[.constraintName] ?? "unknown"
        let message = info[.message] ?? "integrity rule broken"
        switch state {
        case "23505":
            return .conflict(field: uniqueFields[constraint] ?? constraint, message: uniqueMessages[constraint] ?? message)
        case "23514", "23503", "23502", "22001", "22003", "22007", "22008", "22021", "22P05":
            return .constraint(name: constraint, message: message)
        default:
            return nil
        }
    }

    private static let uniqueFields = ["patient_identities_site_mrn_key": "mrn", "sites_code_key": "code", "users_username_key": "username"]
    private static let uniqueMessages = [
        "patient_identities_site_mrn_key": "a patient with this MRN is already registered at this site",
        "sites_code_key": "a site with this code already exists",
        "users_username_key": "a user with this username already exists",
    ]
}
