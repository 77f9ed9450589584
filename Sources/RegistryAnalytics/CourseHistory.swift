import Foundation
import RegistryCore

/// Everything the outcome definitions read about one course, voided records already left out.
/// Built by the store from one streamed query, or by hand in tests.
public struct CourseHistory: Sendable, Equatable {
    public struct Procedure: Sendable, Equatable {
        public let on: CalendarDate
        public let kind: ProcedureKind
        public let injectate: Injectate?

        public init(on: CalendarDate, kind: ProcedureKind, injectate: Injectate? = nil) {
            self.on = on
            self.kind = kind
            self.injectate = injectate
        }
    }

    public struct Score: Sendable, Equatable {
        public let on: CalendarDate
        public let timepoint: Timepoint
        public let nrs: Int
        /// Who entered it; the outcome rules treat both alike, a report may keep one.
        public let source: ScoreSource

        public init(on: CalendarDate, timepoint: Timepoint, nrs: Int, source: ScoreSource = .clinician) {
            self.on = on
            self.timepoint = timepoint
            self.nrs = nrs
            self.source = source
        }
    }

    public struct Event: Sendable, Equatable {
        public let on: CalendarDate
        public let kind: CourseEventKind

        public init(on: CalendarDate, kind: CourseEventKind) {
            self.on = on
            self.kind = kind
        }
    }

    public struct Block: Sendable, Equatable {
        /// When it was injected; nil only in hand-built histories that do not need it.
        public let performedAt: Date?
        public let nrsBefore: Int
        public let nrsAfter: Int
        public let assessedMinutesAfter: Int

        public init(performedAt: Date? = nil, nrsBefore: Int, nrsAfter: Int, assessedMinutesAfter: Int) {
            self.performedAt = performedAt
            self.nrsBefore = nrsBefore
            self.nrsAfter = nrsAfter
            self.assessedMinutesAfter = assessedMinutesAfter
        }

        /// The calendar day of the injection (UTC, as exports date it).
        public var on: CalendarDate? { performedAt.map { CalendarDate($0, in: .gmt) } }
    }

    /// What the baseline characteristics read from an ultrasound finding.
    public struct Ultrasound: Sendable, Equatable {
        public let on: CalendarDate
        public let nerveCsaMm2: Double?
        public let fasciaThicknessMm: Double?
        public let fasciaAdhesion: Bool
        public let restrictedGliding: Bool
        public let tunnelNarrowing: Bool

        public init(
            on: CalendarDate, nerveCsaMm2: Double? = nil, fasciaThicknessMm: Double? = nil, fasciaAdhesion: Bool = false,
            restrictedGliding: Bool = false, tunnelNarrowing: Bool = false
        ) {
            self.on = on
            self.nerveCsaMm2 = nerveCsaMm2
            self.fasciaThicknessMm = fasciaThicknessMm
            self.fasciaAdhesion = fasciaAdhesion
            self.restrictedGliding = restrictedGliding
            self.tunnelNarrowing = tunnelNarrowing
        }

        /// CLINICAL.md: fascia adhesion, restricted gliding or tunnel narrowing, any yes.
        public var adhesion: Bool { fasciaAdhesion || restrictedGliding || tunnelNarrowing }
    }

    /// A time the patient was asked to answer: a message the outbox sent for one follow-up (named
    /// by its due date; number 0 the invitation, 1 and up the reminders), or a patient link the
    /// clinic made by hand (the outbox's own links are its messages). Only the follow-up response
    /// rates read these, never the outcome definitions.
    public struct Ask: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case message(dueOn: CalendarDate, number: Int, channel: ContactChannel)
            case link
        }

        public let at: Date
        public let kind: Kind

        public init(at: Date, kind: Kind) {
            self.at = at
            self.kind = kind
        }
    }

    /// Descriptive facts about the course that exports carry beside the outcome (not used by
    /// the outcome definitions).
    public struct Facts: Sendable, Equatable {
        public let patientId: UUID
        public let icd10: String
        public let ageAtStart: Int?
        public let sex: String?

        public init(patientId: UUID, icd10: String, ageAtStart: Int?, sex: String?) {
            self.patientId = patientId
            self.icd10 = icd10
            self.ageAtStart = ageAtStart
            self.sex = sex
        }
    }

    public let courseId: UUID
    public let siteId: UUID
    public let clinicianId: UUID
    public let side: Side
    public let startedOn: CalendarDate
    public var symptomOnset: CalendarDate?
    public var procedures: [Procedure]
    /// In any order: the outcome rules never read entry order.
    public var scores: [Score]
    public var events: [Event]
    public var blocks: [Block]
    public var ultrasound: [Ultrasound]
    public var asks: [Ask]
    public let facts: Facts?

    public init(
        courseId: UUID = UUID(), siteId: UUID = UUID(), clinicianId: UUID = UUID(), side: Side = .left,
        startedOn: CalendarDate, facts: Facts? = nil, procedures: [Procedure] = [], scores: [Score] = [], events: [Event] = [],
        blocks: [Block] = [], symptomOnset: CalendarDate? = nil, ultrasound: [Ultrasound] = [], asks: [Ask] = []
    ) {
        self.asks = asks
        self.symptomOnset = symptomOnset
        self.ultrasound = ultrasound
        self.facts = facts
        self.courseId = courseId
        self.siteId = siteId
        self.clinicianId = clinicianId
        self.side = side
        self.startedOn = startedOn
        self.procedures = procedures
        self.scores = scores
        self.events = events
        self.blocks = blocks
    }
}
