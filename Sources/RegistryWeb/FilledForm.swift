import RegistryCore

/// A form as one page shows it: which form, where it posts, what was typed (kept when a rule is
/// broken), the problems beside their fields, the CSRF token and the form's own idempotency key.
public struct FilledForm: Sendable {
    public var spec: FormSpec
    public var action: String
    public var csrf: String
    public var idempotencyKey: String
    /// Field name → what was typed.
    public var values: [String: String]
    public var problems: [FieldProblem]
    /// Hidden fields sent back unchanged, such as the version of the record being corrected.
    public var carried: [String: String]
    /// A catalogue key of a message above the form (a stale correction's).
    public var noticeKey: String?
    /// `data-` attributes of the form, for the small script (the block's thresholds).
    public var data: [String: String]
    /// `get` for a filter (no CSRF token or idempotency key: it changes nothing).
    public var method: String
    /// Catalogue key of the button.
    public var submitKey: String
    /// A link shown under a field's problem, such as the patient who already has the MRN typed.
    public var fieldLinks: [String: FieldLink] = [:]

    public struct FieldLink: Codable, Sendable {
        /// Shown as it is (already in the page's language).
        public let text: String
        public let href: String
        public init(text: String, href: String) {
            self.text = text
            self.href = href
        }
    }

    public init(
        spec: FormSpec, action: String, csrf: String, idempotencyKey: String, values: [String: String] = [:], problems: [FieldProblem] = [],
        carried: [String: String] = [:], noticeKey: String? = nil, data: [String: String] = [:], method: String = "post", submitKey: String = "save"
    ) {
        self.spec = spec
        self.action = action
        self.csrf = csrf
        self.idempotencyKey = idempotencyKey
        self.values = values
        self.problems = problems
        self.carried = carried
        self.noticeKey = noticeKey
        self.data = data
        self.method = method
        self.submitKey = submitKey
    }
}
