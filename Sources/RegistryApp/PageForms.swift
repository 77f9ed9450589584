import Crypto
import Foundation
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
    /// Written: post/redirect/get to `location`.
    case done(location: String)
}

/// CSRF tokens bound to the web session: an HMAC of the session token, so a page from another
/// site cannot know it (SameSite=Strict alone is not enough), and nothing needs storing.
enum CSRF {
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

/// The pain-score form as posted: every field text, as typed.
struct PainScoreFormInput: Decodable {
    var csrf: String?
    var idempotencyKey: String?
    var recordedOn: String?
    var timepoint: String?
    var nrs: String?
    var odi: String?
    var pgic: String?

    static func read(_ request: Request) async throws -> PainScoreFormInput {
        let body = try await request.bodyBytes(limit: 16_384)
        return (try? URLEncodedFormDecoder().decode(PainScoreFormInput.self, from: String(decoding: body, as: UTF8.self))) ?? PainScoreFormInput()
    }

    /// What was typed, to show again beside the problems.
    var typed: [String: String] {
        ["recordedOn": recordedOn, "timepoint": timepoint, "nrs": nrs, "odi": odi, "pgic": pgic].compactMapValues { $0 }
    }

    /// The API's input, so the page applies the same rules with the same words; a number field
    /// holding something else is a problem on that field.
    var input: PainScoreInput {
        get throws(ValidationFailure) {
            var problems: [FieldProblem] = []
            func number(_ text: String?, _ field: String) -> Int? {
                guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let value = Int(text) else {
                    problems.append(FieldProblem(field: field, rule: "type", message: "must be a whole number"))
                    return nil
                }
                return value
            }
            let input = PainScoreInput(recordedOn: recordedOn, timepoint: timepoint, nrs: number(nrs, "nrs"), odi: number(odi, "odi"), pgic: number(pgic, "pgic"))
            guard problems.isEmpty else { throw ValidationFailure(problems) }
            return input
        }
    }

    /// The form's own key, scoped to the user like the API's: a double submit or a resubmitted
    /// page stores one score.
    func idempotency(for principal: Principal) -> Idempotency? {
        guard let key = idempotencyKey, UUID(uuidString: key) != nil else { return nil }
        let fields = [recordedOn, timepoint, nrs, odi, pgic].map { $0 ?? "" }.joined(separator: "\u{1f}")
        return Idempotency(key: "\(principal.userId):page:\(key)", requestHash: Hashing.sha256Hex(Data(fields.utf8)))
    }
}
