import Foundation

/// A patient's answer from a follow-up link, as the phone's form sends it (text).
public struct PatientAnswerInput: Codable, Sendable {
    public var nrs: String?
    public var pgic: String?
    /// "yes" or "no": has the pain come back the way it was before treatment?
    public var painCameBack: String?

    public init(nrs: String? = nil, pgic: String? = nil, painCameBack: String? = nil) {
        self.nrs = nrs
        self.pgic = pgic
        self.painCameBack = painCameBack
    }

    public func validated() throws(ValidationFailure) -> PatientAnswer {
        var v = Validator()
        func number(_ text: String?, _ field: String, _ range: ClosedRange<Int>, required: Bool) -> Int? {
            guard let text, !text.isEmpty else {
                if required { v.fail(field, "required", "is required") }
                return nil
            }
            guard let value = Int(text), range.contains(value) else {
                v.fail(field, "range", "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return value
        }
        let nrs = number(nrs, "nrs", 0...10, required: true)
        let pgic = number(pgic, "pgic", 1...7, required: false)
        let cameBack: Bool? = ["yes": true, "no": false][painCameBack ?? ""]
        if cameBack == nil { v.fail("painCameBack", "required", "is required: yes or no") }
        return try v.finish { PatientAnswer(nrs: nrs!, pgic: pgic, painCameBack: cameBack!) }
    }
}

/// A valid answer: NRS now, PGIC if given, and whether the pain came back.
public struct PatientAnswer: Sendable, Equatable {
    public let nrs: Int
    public let pgic: Int?
    public let painCameBack: Bool
    public init(nrs: Int, pgic: Int?, painCameBack: Bool) {
        self.nrs = nrs
        self.pgic = pgic
        self.painCameBack = painCameBack
    }
}
