import Foundation

/// One treatment visit with the procedures done on it.
public struct SessionInput: Codable, Sendable {
    public var sessionOn: String?
    public var clinicianId: UUID?
    public var notes: String?
    public var procedures: [ProcedureInput]?

    public init(sessionOn: String? = nil, clinicianId: UUID? = nil, notes: String? = nil, procedures: [ProcedureInput]? = nil) {
        self.sessionOn = sessionOn
        self.clinicianId = clinicianId
        self.notes = notes
        self.procedures = procedures
    }

    public static let maximumProcedures = 10

    public func validated(_ context: ValidationContext, courseStart: CalendarDate? = nil) throws(ValidationFailure) -> NewSession {
        var v = Validator()
        let date = v.date(sessionOn, "sessionOn", notAfter: context.today)
        v.notBeforeCourseStart(date, "sessionOn", courseStart: courseStart)
        let notes = v.text(notes, "notes", maxLength: TextLimit.notes)
        var validProcedures: [NewProcedure] = []
        if let procedures = v.required(procedures, "procedures") {
            if procedures.isEmpty || procedures.count > Self.maximumProcedures {
                v.fail("procedures", "count", "must list 1 to \(Self.maximumProcedures) procedures")
            }
            for (index, procedure) in procedures.enumerated() {
                var nested = v.nested("procedures[\(index)].")
                if let valid = procedure.validated(&nested) { validProcedures.append(valid) }
                v.absorb(nested)
            }
        }
        return try v.finish {
            NewSession(sessionOn: date!, clinicianId: clinicianId, notes: notes, procedures: validProcedures)
        }
    }
}

public struct ProcedureInput: Codable, Sendable {
    public var kind: String?
    public var injectate: String?
    public var volumeMl: Decimal?
    public var leukocytes: String?
    public var dextrosePercent: Decimal?

    public init(kind: String? = nil, injectate: String? = nil, volumeMl: Decimal? = nil, leukocytes: String? = nil, dextrosePercent: Decimal? = nil) {
        self.kind = kind
        self.injectate = injectate
        self.volumeMl = volumeMl
        self.leukocytes = leukocytes
        self.dextrosePercent = dextrosePercent
    }

    /// Largest volume per kind, in mL (the schema's CHECKs say the same).
    public static func maximumVolumeMl(_ kind: ProcedureKind) -> Decimal? {
        switch kind {
        case .hydrodissection: 60
        case .prp: 20
        case .dextrose: 30
        case .surgicalNeurolysis: nil
        }
    }

    func validated(_ v: inout Validator) -> NewProcedure? {
        guard let kind = v.coded(kind, "kind", as: ProcedureKind.self) else { return nil }
        let before = v.problems.count
        var procedure = NewProcedure(kind: kind)
        if let maximum = Self.maximumVolumeMl(kind) {
            procedure.volumeMl = v.amount(volumeMl, "volumeMl", maximum: maximum, unit: "mL")
        } else if volumeMl != nil {
            v.fail("volumeMl", "not_applicable", "does not apply to \(kind.rawValue)")
        }
        if kind == .hydrodissection {
            procedure.injectate = v.coded(injectate, "injectate", as: Injectate.self)
        } else if injectate != nil {
            v.fail("injectate", "not_applicable", "applies to hydrodissection only")
        }
        if kind == .prp {
            procedure.leukocytes = v.coded(leukocytes, "leukocytes", as: Leukocytes.self)
        } else if leukocytes != nil {
            v.fail("leukocytes", "not_applicable", "applies to prp only")
        }
        if kind == .dextrose {
            procedure.dextrosePercent = v.amount(dextrosePercent, "dextrosePercent", maximum: 50, unit: "%")
        } else if dextrosePercent != nil {
            v.fail("dextrosePercent", "not_applicable", "applies to dextrose only")
        }
        return v.problems.count == before ? procedure : nil
    }
}

public struct NewProcedure: Sendable, Equatable {
    public let kind: ProcedureKind
    public var injectate: Injectate?
    public var volumeMl: Decimal?
    public var leukocytes: Leukocytes?
    public var dextrosePercent: Decimal?

    public init(
        kind: ProcedureKind, injectate: Injectate? = nil, volumeMl: Decimal? = nil, leukocytes: Leukocytes? = nil, dextrosePercent: Decimal? = nil
    ) {
        self.kind = kind
        self.injectate = injectate
        self.volumeMl = volumeMl
        self.leukocytes = leukocytes
        self.dextrosePercent = dextrosePercent
    }
}

public struct NewSession: Sendable, Equatable {
    public let sessionOn: CalendarDate
    /// Defaults to the course's treating clinician when absent.
    public let clinicianId: UUID?
    public let notes: String?
    public let procedures: [NewProcedure]

    public init(sessionOn: CalendarDate, clinicianId: UUID?, notes: String?, procedures: [NewProcedure]) {
        self.sessionOn = sessionOn
        self.clinicianId = clinicianId
        self.notes = notes
        self.procedures = procedures
    }
}
