/// One rule one field broke, in words a clinician can act on.
public struct FieldProblem: Codable, Equatable, Sendable {
    /// The JSON path of the field, such as `procedures[1].volumeMl`.
    public let field: String
    /// A stable machine name for the rule: `required`, `range`, `one_of`, `not_in_future`, …
    public let rule: String
    public let message: String

    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }
}

/// Input broke one or more rules; nothing was written.
public struct ValidationFailure: Error, Sendable, Equatable {
    public let problems: [FieldProblem]

    public init(_ problems: [FieldProblem]) { self.problems = problems }

    public init(field: String, rule: String, message: String) {
        self.problems = [FieldProblem(field: field, rule: rule, message: message)]
    }
}
