import Foundation
import Hummingbird
import RegistryWeb

/// A patient link just made, carried from the POST that made it to the course page that POST
/// redirects to (post/redirect/get), and shown there once. The token is stored nowhere else: the
/// cookie lives two minutes, only for that course's page, and the page that shows it clears it,
/// so a reload shows the page without it and makes no second link.
enum IssuedLinkCookie {
    static let name = "scn_issued_link"

    static func carrying(_ token: String, course: UUID, secure: Bool) -> Cookie {
        Cookie(name: name, value: token, maxAge: 120, path: Paths.course(course), secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func cleared(course: UUID) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: Paths.course(course), httpOnly: true, sameSite: .strict)
    }

    /// The token the request carries; nil when none, or when it is not a token's shape.
    static func token(in request: Request) -> String? {
        guard let value = request.cookies[name]?.value, !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { return nil }
        return value
    }
}
