import Foundation
import Hummingbird
import RegistryWeb

/// What a POST carries to the page it redirects to (post/redirect/get), shown there once: a
/// secret just made (a patient link, an API token), or why a sign-in was refused. It is stored
/// nowhere else: the cookie lives two minutes, only for that page, and the page that shows it
/// clears it, so a reload shows the page without it and makes nothing twice.
struct ShownOnceCookie {
    let name: String
    let path: String

    /// A patient link, shown on its course's page.
    static func patientLink(course: UUID) -> ShownOnceCookie { ShownOnceCookie(name: "scn_issued_link", path: Paths.course(course)) }
    /// An API token and its record's id (`id.token`), shown on the tokens page.
    static let apiToken = ShownOnceCookie(name: "scn_issued_token", path: Paths.tokens)
    /// Why a sign-in form was refused (`SignInController.Refusal`), shown on the sign-in page.
    static let signInRefusal = ShownOnceCookie(name: "scn_sign_in", path: Paths.login)
    /// What came of a patient's answer (`FollowUpsController.AnswerCarried`), shown on the link's page.
    static func patientAnswer(_ token: String) -> ShownOnceCookie { ShownOnceCookie(name: "scn_answer", path: Paths.patientLink(token)) }
    /// That a patient asked to stop the messages, shown on the opt-out page.
    static func optOut(_ token: String) -> ShownOnceCookie { ShownOnceCookie(name: "scn_stopped", path: Paths.patientLink(token) + "/stop") }

    func carrying(_ value: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: 120, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }

    var cleared: Cookie { Cookie(name: name, value: "", maxAge: 0, path: path, httpOnly: true, sameSite: .strict) }

    /// The value the request carries; nil when none, or when it is not a secret's shape.
    func value(in request: Request) -> String? {
        guard let value = request.cookies[name]?.value, !value.isEmpty,
            value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
        else { return nil }
        return value
    }
}
