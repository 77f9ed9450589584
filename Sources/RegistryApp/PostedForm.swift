import Foundation
import Hummingbird
import RegistryCore
import RegistryStore

/// A page's form as posted: the CSRF token, the form's own idempotency key, the record version
/// a correction started from, and every field as typed, by the field's name.
struct PostedForm {
    var csrf: String?
    var idempotencyKey: String?
    var version: String?
    var values: [String: String] = [:]

    /// `application/x-www-form-urlencoded`, with field names such as `procedures[0].kind` kept
    /// whole (they are the API's paths, not nesting for a decoder).
    static func read(_ request: Request) async throws -> PostedForm {
        let body = String(decoding: try await request.bodyBytes(limit: 65_536), as: UTF8.self)
        var form = PostedForm()
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            let name = decoded(parts[0]), value = parts.count > 1 ? decoded(parts[1]) : ""
            switch name {
            case "csrf": form.csrf = value
            case "idempotencyKey": form.idempotencyKey = value
            case "version": form.version = value
            default: form.values[name] = value
            }
        }
        return form
    }

    /// The form's own key, scoped to the user like the API's: a double submit or a resubmitted
    /// page stores one record; the same key with other values is refused.
    func idempotency(for principal: Principal) -> Idempotency? {
        guard let key = idempotencyKey, UUID(uuidString: key) != nil else { return nil }
        let fields = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1f}")
        return Idempotency(key: "\(principal.userId):page:\(key)", requestHash: Hashing.sha256Hex(Data(fields.utf8)))
    }
}
