import Foundation

/// Screening answers, examination and ultrasound findings recorded on one day. Any of the three
/// may be present; at least one must be. Every yes/no is required within a section, because an
/// unanswered screening question is not the same as "no".
public struct FindingsInput: Codable, Sendable {
    public var recordedOn: String?
    public var screening: Screening?
    public var examination: Examination?
    public var ultrasound: Ultrasound?

    public init(recordedOn: String? = nil, screening: Screening? = nil, examination: Examination? = nil, ultrasound: Ultrasound? = nil) {
        self.recordedOn = recordedOn
        self.screening = screening
        self.examination = examination
        self.ultrasound = ultrasound
    }

    public struct Screening: Codable, Sendable, Equatable {
        public var painOverThreeMonths: Bool?
        public var imagingMildOnly: Bool?
        public var painAtIliacCrest: Bool?
        public var worseUprightEasedLying: Bool?
        public var psisPressureReproduces: Bool?
        public var physiotherapyRelapse: Bool?

        public init(
            painOverThreeMonths: Bool? = nil, imagingMildOnly: Bool? = nil, painAtIliacCrest: Bool? = nil,
            worseUprightEasedLying: Bool? = nil, psisPressureReproduces: Bool? = nil, physiotherapyRelapse: Bool? = nil
        ) {
            self.painOverThreeMonths = painOverThreeMonths
            self.imagingMildOnly = imagingMildOnly
            self.painAtIliacCrest = painAtIliacCrest
            self.worseUprightEasedLying = worseUprightEasedLying
            self.psisPressureReproduces = psisPressureReproduces
            self.physiotherapyRelapse = physiotherapyRelapse
        }
    }

    public struct Examination: Codable, Sendable, Equatable {
        public var triggerPoint: Bool?
        public var triggerPointDistanceCm: Decimal?
        public var lateralBendingPositive: Bool?
        public var pelvicRotationPositive: Bool?
        public var singleLegStancePositive: Bool?
        public var straightLegRaisePositive: Bool?
        public var strengthNormal: Bool?
        public var reflexesNormal: Bool?

        public init(
            triggerPoint: Bool? = nil, triggerPointDistanceCm: Decimal? = nil, lateralBendingPositive: Bool? = nil,
            pelvicRotationPositive: Bool? = nil, singleLegStancePositive: Bool? = nil, straightLegRaisePositive: Bool? = nil,
            strengthNormal: Bool? = nil, reflexesNormal: Bool? = nil
        ) {
            self.triggerPoint = triggerPoint
            self.triggerPointDistanceCm = triggerPointDistanceCm
            self.lateralBendingPositive = lateralBendingPositive
            self.pelvicRotationPositive = pelvicRotationPositive
            self.singleLegStancePositive = singleLegStancePositive
            self.straightLegRaisePositive = straightLegRaisePositive
            self.strengthNormal = strengthNormal
            self.reflexesNormal = reflexesNormal
        }
    }

    public struct Ultrasound: Codable, Sendable, Equatable {
        public var nerveCsaMm2: Decimal?
        public var flattening: Bool?
        public var restrictedGliding: Bool?
        public var fasciaThicknessMm: Decimal?
        public var fasciaAdhesion: Bool?
        public var tunnelNarrowing: Bool?

        public init(
            nerveCsaMm2: Decimal? = nil, flattening: Bool? = nil, restrictedGliding: Bool? = nil,
            fasciaThicknessMm: Decimal? = nil, fasciaAdhesion: Bool? = nil, tunnelNarrowing: Bool? = nil
        ) {
            self.nerveCsaMm2 = nerveCsaMm2
            self.flattening = flattening
            self.restrictedGliding = restrictedGliding
            self.fasciaThicknessMm = fasciaThicknessMm
            self.fasciaAdhesion = fasciaAdhesion
            self.tunnelNarrowing = tunnelNarrowing
        }
    }

    public func validated(_ context: ValidationContext, courseStart: CalendarDate? = nil) throws(ValidationFailure) -> NewFindings {
        var v = Validator()
        let date = v.date(recordedOn, "recordedOn", notAfter: context.today)
        v.notBeforeCourseStart(date, "recordedOn", courseStart: courseStart)
        if screening == nil, examination == nil, ultrasound == nil {
            v.fail("screening", "required", "at least one of screening, examination or ultrasound is required")
        }
        if let s = screening {
            var n = v.nested("screening.")
            for (field, answer) in [
                ("painOverThreeMonths", s.painOverThreeMonths), ("imagingMildOnly", s.imagingMildOnly),
                ("painAtIliacCrest", s.painAtIliacCrest), ("worseUprightEasedLying", s.worseUprightEasedLying),
                ("psisPressureReproduces", s.psisPressureReproduces), ("physiotherapyRelapse", s.physiotherapyRelapse),
            ] {
                _ = n.required(answer, field)
            }
            v.absorb(n)
        }
        if let e = examination {
            var n = v.nested("examination.")
            for (field, answer) in [
                ("triggerPoint", e.triggerPoint), ("lateralBendingPositive", e.lateralBendingPositive),
                ("pelvicRotationPositive", e.pelvicRotationPositive), ("singleLegStancePositive", e.singleLegStancePositive),
                ("straightLegRaisePositive", e.straightLegRaisePositive), ("strengthNormal", e.strengthNormal),
                ("reflexesNormal", e.reflexesNormal),
            ] {
                _ = n.required(answer, field)
            }
            _ = n.amount(e.triggerPointDistanceCm, "triggerPointDistanceCm", maximum: 20, unit: "cm", required: false)
            if e.triggerPoint == false, e.triggerPointDistanceCm != nil {
                n.fail("triggerPointDistanceCm", "not_applicable", "applies only when triggerPoint is true")
            }
            v.absorb(n)
        }
        if let u = ultrasound {
            var n = v.nested("ultrasound.")
            for (field, answer) in [
                ("flattening", u.flattening), ("restrictedGliding", u.restrictedGliding),
                ("fasciaAdhesion", u.fasciaAdhesion), ("tunnelNarrowing", u.tunnelNarrowing),
            ] {
                _ = n.required(answer, field)
            }
            _ = n.amount(u.nerveCsaMm2, "nerveCsaMm2", maximum: 50, unit: "mm²", decimals: 2, required: false)
            _ = n.amount(u.fasciaThicknessMm, "fasciaThicknessMm", maximum: 30, unit: "mm", required: false)
            v.absorb(n)
        }
        return try v.finish { NewFindings(recordedOn: date!, screening: screening, examination: examination, ultrasound: ultrasound) }
    }
}

/// Validated findings: every required answer in a present section is non-nil.
public struct NewFindings: Sendable, Equatable {
    public let recordedOn: CalendarDate
    public let screening: FindingsInput.Screening?
    public let examination: FindingsInput.Examination?
    public let ultrasound: FindingsInput.Ultrasound?

    public init(
        recordedOn: CalendarDate, screening: FindingsInput.Screening?, examination: FindingsInput.Examination?, ultrasound: FindingsInput.Ultrasound?
    ) {
        self.recordedOn = recordedOn
        self.screening = screening
        self.examination = examination
        self.ultrasound = ultrasound
    }
}
