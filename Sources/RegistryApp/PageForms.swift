import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import RegistryCore
import RegistryStore

/// How a page's POST ends other than with the page itself.
enum PageRefusal: Error {
    /// The role may read but not write: a 403 page.
    case readOnly
    /// The CSRF token is missing or not this session's: a 403 page, nothing written.
    case expired
    /// A rule was broken: the page again (422) with the form as typed.
    case invalid(String)
    /// The record changed since the form was opened: the form again (409) with its current values.
    case stale(String)
    /// Written: post/redirect/get to `location`.
    case done(location: String)
    /// Written, and the answer is a page of its own (a token shown once).
    case shown(String)
}

/// CSRF tokens bound to the web session: an HMAC of the session token, so a page from another
/// site cannot know it (SameSite=Strict alone is not enough), and nothing needs storing.
enum CSRF {
    /// Where an API write signed in by the session cookie carries the token.
    static let header = HTTPField.Name("X-CSRF-Token")!

    static func token(session: String) -> String {
        Hashing.hex(HMAC<SHA256>.authenticationCode(for: Data("csrf".utf8), using: SymmetricKey(data: Data(session.utf8))))
    }

    static func matches(_ token: String?, session: String) -> Bool {
        guard let token else { return false }
        let expected = Array(self.token(session: session).utf8), given = Array(token.utf8)
        // Constant time: every byte compared whatever the first difference.
        return expected.count == given.count && zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

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
