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

        public init(on: CalendarDate, timepoint: Timepoint, nrs: Int) {
            self.on = on
            self.timepoint = timepoint
            self.nrs = nrs
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
        public let nrsBefore: Int
        public let nrsAfter: Int
        public let assessedMinutesAfter: Int

        public init(nrsBefore: Int, nrsAfter: Int, assessedMinutesAfter: Int) {
            self.nrsBefore = nrsBefore
            self.nrsAfter = nrsAfter
            self.assessedMinutesAfter = assessedMinutesAfter
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
    public var procedures: [Procedure]
    /// In any order: the outcome rules never read entry order.
    public var scores: [Score]
    public var events: [Event]
    public var blocks: [Block]
    public let facts: Facts?

    public init(courseId: UUID = UUID(), siteId: UUID = UUID(), clinicianId: UUID = UUID(), side: Side = .left,
                startedOn: CalendarDate, facts: Facts? = nil, procedures: [Procedure] = [], scores: [Score] = [], events: [Event] = [],
                blocks: [Block] = []) {
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
