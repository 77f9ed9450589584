import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import RegistryStore

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

    /// The session's token (pages that show forms are only reached signed in).
    static func token(for request: Request) -> String {
        request.cookies[SessionCookie.name].map { token(session: $0.value) } ?? ""
    }

    /// A button's POST (disable, revoke, resolve): the session's token, or a 403 page.
    static func check(_ request: Request) async throws {
        let posted = try await PostedForm.read(request)
        guard let session = request.cookies[SessionCookie.name]?.value, matches(posted.csrf, session: session) else { throw PageRefusal.expired }
    }
}
