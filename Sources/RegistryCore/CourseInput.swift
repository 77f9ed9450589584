import Foundation

/// A new treatment course: one patient, one side, one episode of care.
public struct CourseInput: Codable, Sendable {
    public var patientId: UUID?
    public var siteId: UUID?
    public var clinicianId: UUID?
    public var side: String?
    public var icd10: String?
    public var symptomOnset: String?
    public var startedOn: String?
    public var notes: String?

    public init(
        patientId: UUID? = nil, siteId: UUID? = nil, clinicianId: UUID? = nil, side: String? = nil,
        icd10: String? = nil, symptomOnset: String? = nil, startedOn: String? = nil, notes: String? = nil
    ) {
        self.patientId = patientId
        self.siteId = siteId
        self.clinicianId = clinicianId
        self.side = side
        self.icd10 = icd10
        self.symptomOnset = symptomOnset
        self.startedOn = startedOn
        self.notes = notes
    }

    public func validated(_ context: ValidationContext) throws(ValidationFailure) -> NewCourse {
        var v = Validator()
        let patientId = v.required(patientId, "patientId")
        let siteId = v.required(siteId, "siteId")
        let clinicianId = v.required(clinicianId, "clinicianId")
        let side = v.coded(side, "side", as: Side.self)
        let icd10 = v.pattern(
            icd10, "icd10", regex: "[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?",
            explanation: "must be an ICD-10 code such as G57.81, G57.82 or M54.50")
        let onset = v.date(symptomOnset, "symptomOnset", notAfter: context.today, required: false)
        let startedOn = v.date(startedOn, "startedOn", notAfter: context.today)
        if let onset, let startedOn, onset > startedOn {
            v.fail("symptomOnset", "not_after_start", "must not be after startedOn (\(startedOn))")
        }
        let notes = v.text(notes, "notes", maxLength: TextLimit.notes)
        return try v.finish {
            NewCourse(
                patientId: patientId!, siteId: siteId!, clinicianId: clinicianId!, side: side!, icd10: icd10!,
                symptomOnset: onset, startedOn: startedOn!, notes: notes)
        }
    }
}

public struct NewCourse: Sendable, Equatable {
    public let patientId: UUID
    public let siteId: UUID
    public let clinicianId: UUID
    public let side: Side
    public let icd10: String
    public let symptomOnset: CalendarDate?
    public let startedOn: CalendarDate
    public let notes: String?

    public init(
        patientId: UUID, siteId: UUID, clinicianId: UUID, side: Side, icd10: String, symptomOnset: CalendarDate?, startedOn: CalendarDate,
        notes: String?
    ) {
        self.patientId = patientId
        self.siteId = siteId
        self.clinicianId = clinicianId
        self.side = side
        self.icd10 = icd10
        self.symptomOnset = symptomOnset
        self.startedOn = startedOn
        self.notes = notes
    }
}
