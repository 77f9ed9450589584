import Foundation
import Hummingbird
import RegistryCore

extension Request {
    /// A query parameter, decoded as browsers encode a GET form: `+` is a space (then percent
    /// escapes), so a filter such as `cohort=not+evaluable` reads as it was chosen.
    func query(_ name: String) -> String? {
        func decoded(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
        for pair in (uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if decoded(parts[0]) == name { return parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return nil
    }

    /// The named query parameters that hold something: a page's GET filter form sends every
    /// field, and an empty one means no filter.
    func filledQuery(_ names: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for name in names {
            if let value = query(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty { values[name] = value }
        }
        return values
    }

    /// An optional UUID query parameter; a malformed one is a 422 naming it.
    func uuidQuery(_ name: String) throws -> UUID? {
        var v = Validator()
        let id = v.uuid(query(name), name)
        return try v.finish { id }
    }
}
