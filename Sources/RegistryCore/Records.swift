import Foundation

/// A void: the record stays, shown as voided, and is excluded from every analysis.
public struct VoidInfo: Codable, Sendable, Equatable {
    public let voidedAt: Date
    public let reason: String

    public init(voidedAt: Date, reason: String) {
        self.voidedAt = voidedAt
        self.reason = reason
    }
}

public struct SiteRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let code: String
    public let name: String

    public init(id: UUID, code: String, name: String) {
        self.id = id
        self.code = code
        self.name = name
    }
}

public struct UserRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let username: String
    public let displayName: String
    public let role: Role
    public let active: Bool
    public let siteIds: [UUID]

    public init(id: UUID, username: String, displayName: String, role: Role, active: Bool, siteIds: [UUID]) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.active = active
        self.siteIds = siteIds
    }
}

public struct PatientRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let siteId: UUID
    public let mrn: String
    public let familyName: String
    public let givenName: String
    public let dateOfBirth: CalendarDate
    public let sex: Sex
    public let phone: String?
    public let email: String?
    public let createdAt: Date

    public init(
        id: UUID, siteId: UUID, mrn: String, familyName: String, givenName: String, dateOfBirth: CalendarDate,
        sex: Sex, phone: String?, email: String?, createdAt: Date
    ) {
        self.id = id
        self.siteId = siteId
        self.mrn = mrn
        self.familyName = familyName
        self.givenName = givenName
        self.dateOfBirth = dateOfBirth
        self.sex = sex
        self.phone = phone
        self.email = email
        self.createdAt = createdAt
    }
}

/// A course's status follows from its latest closing event; absent one it is active.
public enum CourseStatus: String, CodedValue {
    case active, discharged
    case referredToSurgery = "referred_to_surgery"
    case lostToFollowUp = "lost_to_follow_up"
    case otherSurgery = "other_surgery"
    case died
}

public struct CourseRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let patientId: UUID
    public let siteId: UUID
    public let clinicianId: UUID
    public let side: Side
    public let icd10: String
    public let symptomOnset: CalendarDate?
    public let startedOn: CalendarDate
    public let notes: String?
    public let status: CourseStatus
    public let createdAt: Date
    public let version: Int
    public let void: VoidInfo?

    public init(
        id: UUID, patientId: UUID, siteId: UUID, clinicianId: UUID, side: Side, icd10: String, symptomOnset: CalendarDate?,
        startedOn: CalendarDate, notes: String?, status: CourseStatus, createdAt: Date, version: Int, void: VoidInfo?
    ) {
        self.id = id
        self.patientId = patientId
        self.siteId = siteId
        self.clinicianId = clinicianId
        self.side = side
        self.icd10 = icd10
        self.symptomOnset = symptomOnset
        self.startedOn = startedOn
        self.notes = notes
        self.status = status
        self.createdAt = createdAt
        self.version = version
        self.void = void
    }
}

public struct BlockRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let courseId: UUID
    public let performedAt: Date
    public let side: Side
    public let agent: BlockAgent
    public let volumeMl: Decimal
    public let nrsBefore: Int
    public let nrsAfter: Int
    public let assessedMinutesAfter: Int
    /// Computed from the configured thresholds when read.
    public let reliefPercent: Double
    public let positive: Bool
    public let version: Int
    public let void: VoidInfo?

    public init(id: UUID, courseId: UUID, block: NewBlock, rules: ClinicalRules.Block, version: Int, void: VoidInfo?) {
        let result = BlockResult(
            nrsBefore: block.nrsBefore, nrsAfter: block.nrsAfter,
            assessedMinutesAfter: block.assessedMinutesAfter, rules: rules)
        self.id = id
        self.courseId = courseId
        self.performedAt = block.performedAt
        self.side = block.side
        self.agent = block.agent
        self.volumeMl = block.volumeMl
        self.nrsBefore = block.nrsBefore
        self.nrsAfter = block.nrsAfter
        self.assessedMinutesAfter = block.assessedMinutesAfter
        self.reliefPercent = (result.reliefPercent * 10).rounded() / 10
        self.positive = result.positive
        self.version = version
        self.void = void
    }
}

public struct ProcedureRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let kind: ProcedureKind
    public let injectate: Injectate?
    public let volumeMl: Decimal?
    public let leukocytes: Leukocytes?
    public let dextrosePercent: Decimal?

    public init(id: UUID, procedure: NewProcedure) {
        self.id = id
        self.kind = procedure.kind
        self.injectate = procedure.injectate
        self.volumeMl = procedure.volumeMl
        self.leukocytes = procedure.leukocytes
        self.dextrosePercent = procedure.dextrosePercent
    }
}

public struct SessionRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let courseId: UUID
    public let sessionOn: CalendarDate
    public let clinicianId: UUID
    public let notes: String?
    public var procedures: [ProcedureRecord]
    public let version: Int
    public let void: VoidInfo?

    public init(
        id: UUID, courseId: UUID, sessionOn: CalendarDate, clinicianId: UUID, notes: String?,
        procedures: [ProcedureRecord], version: Int, void: VoidInfo?
    ) {
        self.id = id
        self.courseId = courseId
        self.sessionOn = sessionOn
        self.clinicianId = clinicianId
        self.notes = notes
        self.procedures = procedures
        self.version = version
        self.void = void
    }
}

public struct PainScoreRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let courseId: UUID
    public let recordedOn: CalendarDate
    public let timepoint: Timepoint
    public let nrs: Int
    public let odi: Int?
    public let pgic: Int?
    /// Who entered it.
    public let source: ScoreSource
    public let version: Int
    public let void: VoidInfo?

    public init(id: UUID, courseId: UUID, score: NewPainScore, source: ScoreSource = .clinician, version: Int, void: VoidInfo?) {
        self.id = id
        self.courseId = courseId
        self.recordedOn = score.recordedOn
        self.timepoint = score.timepoint
        self.nrs = score.nrs
        self.odi = score.odi
        self.pgic = score.pgic
        self.source = source
        self.version = version
        self.void = void
    }
}

public struct CourseEventRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let courseId: UUID
    public let kind: CourseEventKind
    public let occurredOn: CalendarDate
    public let note: String?
    public let version: Int
    public let void: VoidInfo?

    public init(id: UUID, courseId: UUID, event: NewCourseEvent, version: Int, void: VoidInfo?) {
        self.id = id
        self.courseId = courseId
        self.kind = event.kind
        self.occurredOn = event.occurredOn
        self.note = event.note
        self.version = version
        self.void = void
    }
}

/// One findings section recorded on one day.
public struct FindingRecord<Values: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public let id: UUID
    public let recordedOn: CalendarDate
    public let values: Values
    public let version: Int
    public let void: VoidInfo?

    public init(id: UUID, recordedOn: CalendarDate, values: Values, version: Int, void: VoidInfo?) {
        self.id = id
        self.recordedOn = recordedOn
        self.values = values
        self.version = version
        self.void = void
    }
}

public struct FindingsRecord: Codable, Sendable, Equatable {
    public var screening: [FindingRecord<FindingsInput.Screening>] = []
    public var examination: [FindingRecord<FindingsInput.Examination>] = []
    public var ultrasound: [FindingRecord<FindingsInput.Ultrasound>] = []

    public init() {}
}

/// A course with everything recorded on it, each list in date order.
public struct CourseTimeline: Codable, Sendable, Equatable {
    public let course: CourseRecord
    public var blocks: [BlockRecord]
    public var sessions: [SessionRecord]
    public var painScores: [PainScoreRecord]
    public var events: [CourseEventRecord]
    public var findings: FindingsRecord
    /// The block thresholds the relief verdicts were computed with.
    public let blockRules: ClinicalRules.Block

    public init(
        course: CourseRecord, blocks: [BlockRecord], sessions: [SessionRecord], painScores: [PainScoreRecord],
        events: [CourseEventRecord], findings: FindingsRecord, blockRules: ClinicalRules.Block
    ) {
        self.course = course
        self.blocks = blocks
        self.sessions = sessions
        self.painScores = painScores
        self.events = events
        self.findings = findings
        self.blockRules = blockRules
    }
}

/// A page of a list and the opaque cursor for the next one (nil on the last page).
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public let items: [Item]
    public let nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
