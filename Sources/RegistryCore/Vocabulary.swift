/// The coded values the registry accepts. Raw values are the wire and database spellings; the
/// schema's CHECK constraints list the same sets.
public protocol CodedValue: RawRepresentable, CaseIterable, Codable, Sendable, Hashable where RawValue == String {}

extension CodedValue {
    /// The accepted spellings, for error messages and the codebook.
    public static var allowed: [String] { allCases.map(\.rawValue) }
}

public enum Side: String, CodedValue { case left, right, bilateral }

public enum Sex: String, CodedValue { case female, male, other, unknown }

/// Local anaesthetics used for the diagnostic block.
public enum BlockAgent: String, CodedValue { case lidocaine, ropivacaine, bupivacaine, levobupivacaine, mepivacaine }

public enum ProcedureKind: String, CodedValue {
    case hydrodissection, prp, dextrose
    case surgicalNeurolysis = "surgical_neurolysis"
}

public enum Injectate: String, CodedValue {
    case normalSaline = "normal_saline"
    case d5w
    case localAnaesthetic = "local_anaesthetic"
    case prp
    case mixed
}

public enum Leukocytes: String, CodedValue { case rich, poor }

/// When a pain score was taken; it decides whether the score can count as an outcome.
public enum Timepoint: String, CodedValue {
    case baseline
    case preProcedure = "pre_procedure"
    case postProcedure = "post_procedure"
    case followUp = "follow_up"
}

public enum CourseEventKind: String, CodedValue {
    case recurrenceObserved = "recurrence_observed"
    case referredToSurgery = "referred_to_surgery"
    case discharged
    case lostToFollowUp = "lost_to_follow_up"
    /// Surgery for another diagnosis: censors follow-up.
    case otherSurgery = "other_surgery"
    case died
}

/// Who entered a pain score: the clinician (in clinic or by phone) or the patient from a follow-up link.
public enum ScoreSource: String, CodedValue { case clinician, patient }

public enum Role: String, CodedValue { case clinician, manager, researcher, admin }
