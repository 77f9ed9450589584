import Foundation

/// A diagnostic block as posted. The after-score must be taken inside the configured
/// assessment window: an assessment hours later measures something other than the block.
public struct BlockInput: Codable, Sendable {
    public var performedAt: String?
    public var side: String?
    public var agent: String?
    public var volumeMl: Decimal?
    public var nrsBefore: Int?
    public var nrsAfter: Int?
    public var assessedMinutesAfter: Int?

    public init(
        performedAt: String? = nil, side: String? = nil, agent: String? = nil, volumeMl: Decimal? = nil,
        nrsBefore: Int? = nil, nrsAfter: Int? = nil, assessedMinutesAfter: Int? = nil
    ) {
        self.performedAt = performedAt
        self.side = side
        self.agent = agent
        self.volumeMl = volumeMl
        self.nrsBefore = nrsBefore
        self.nrsAfter = nrsAfter
        self.assessedMinutesAfter = assessedMinutesAfter
    }

    /// The largest volume accepted for a diagnostic block, in mL.
    public static let maximumVolumeMl: Decimal = 20

    public func validated(_ context: ValidationContext, courseStart: CalendarDate? = nil) throws(ValidationFailure) -> NewBlock {
        var v = Validator()
        var performed: Date?
        if let text = v.required(performedAt, "performedAt") {
            performed = Instant.parse(text)
            if performed == nil {
                v.fail("performedAt", "date_time", "must be a date and time such as 2026-03-01T09:30:00Z")
            } else if performed! > context.now.addingTimeInterval(300) {
                v.fail("performedAt", "not_in_future", "must not be in the future")
                performed = nil
            }
        }
        if let performed {
            v.notBeforeCourseStart(CalendarDate(performed, in: .gmt), "performedAt", courseStart: courseStart)
        }
        let side = v.coded(side, "side", as: Side.self)
        let agent = v.coded(agent, "agent", as: BlockAgent.self)
        let volume = v.amount(volumeMl, "volumeMl", maximum: Self.maximumVolumeMl, unit: "mL")
        var before = v.integer(nrsBefore, "nrsBefore", in: 0...10)
        if before == 0 {
            v.fail("nrsBefore", "range", "must be at least 1: a block on a pain-free patient cannot show relief")
            before = nil
        }
        let after = v.integer(nrsAfter, "nrsAfter", in: 0...10)
        let window = context.rules.block.assessmentWindowMinutes
        let minutes = v.integer(assessedMinutesAfter, "assessedMinutesAfter", in: window.minimum...window.maximum)
        return try v.finish {
            NewBlock(
                performedAt: performed!, side: side!, agent: agent!, volumeMl: volume!,
                nrsBefore: before!, nrsAfter: after!, assessedMinutesAfter: minutes!)
        }
    }
}

public struct NewBlock: Sendable, Equatable {
    public let performedAt: Date
    public let side: Side
    public let agent: BlockAgent
    public let volumeMl: Decimal
    public let nrsBefore: Int
    public let nrsAfter: Int
    public let assessedMinutesAfter: Int

    public init(performedAt: Date, side: Side, agent: BlockAgent, volumeMl: Decimal, nrsBefore: Int, nrsAfter: Int, assessedMinutesAfter: Int) {
        self.performedAt = performedAt
        self.side = side
        self.agent = agent
        self.volumeMl = volumeMl
        self.nrsBefore = nrsBefore
        self.nrsAfter = nrsAfter
        self.assessedMinutesAfter = assessedMinutesAfter
    }
}

/// The block's result, computed from the configured thresholds whenever it is shown, so a
/// change of threshold re-reads every block rather than leaving stale stored verdicts.
public struct BlockResult: Sendable, Equatable, Codable {
    public let reliefPercent: Double
    public let positive: Bool

    public init(nrsBefore: Int, nrsAfter: Int, assessedMinutesAfter: Int, rules: ClinicalRules.Block) {
        let relief = Self.reliefPercent(nrsBefore: nrsBefore, nrsAfter: nrsAfter)
        self.reliefPercent = relief
        let window = rules.assessmentWindowMinutes
        self.positive = relief >= rules.positiveReliefPercent && (window.minimum...window.maximum).contains(assessedMinutesAfter)
    }

    /// (NRS before − NRS after) / NRS before × 100; 0 for a block on a pain-free patient.
    public static func reliefPercent(nrsBefore: Int, nrsAfter: Int) -> Double {
        nrsBefore > 0 ? Double(nrsBefore - nrsAfter) / Double(nrsBefore) * 100 : 0
    }
}
