import Foundation
import RegistryCore

/// What was known about a course before its first treatment session (CLINICAL.md, "Who needs
/// more sessions?"): each from the course's own records, the latest on or before the first
/// session. nil is "missing", which analyses keep as its own group.
public struct BaselineCharacteristics: Codable, Sendable, Equatable {
    public enum SymptomDuration: String, Codable, Sendable, CaseIterable {
        case underThreeMonths = "<3 months"
        case threeToSixMonths = "3-6 months"
        case overSixMonths = ">6 months"

        /// "Chronic": more than 3 months, the screening question's threshold.
        public var chronic: Bool { self != .underThreeMonths }
    }

    /// Symptom onset to the first session, in calendar months.
    public let symptomDuration: SymptomDuration?
    /// Fascia adhesion, restricted gliding or tunnel narrowing on the latest ultrasound.
    public let adhesionOnUltrasound: Bool?
    public let fasciaThicknessMm: Double?
    public let nerveCsaMm2: Double?
    public let baselineNRS: Int?
    public let ageAtStart: Int?
    /// Relief of the latest diagnostic block on or before the first session day.
    public let blockReliefPercent: Double?
    /// The first session's treatment: the hydrodissection injectate ("mixed" when it used
    /// several), else "prp_injection" or "dextrose".
    public let firstTreatment: String?

    public static let firstTreatments = Injectate.allowed + ["prp_injection", "dextrose"]

    public init(
        symptomDuration: SymptomDuration? = nil, adhesionOnUltrasound: Bool? = nil, fasciaThicknessMm: Double? = nil,
        nerveCsaMm2: Double? = nil, baselineNRS: Int? = nil, ageAtStart: Int? = nil, blockReliefPercent: Double? = nil,
        firstTreatment: String? = nil
    ) {
        self.symptomDuration = symptomDuration
        self.adhesionOnUltrasound = adhesionOnUltrasound
        self.fasciaThicknessMm = fasciaThicknessMm
        self.nerveCsaMm2 = nerveCsaMm2
        self.baselineNRS = baselineNRS
        self.ageAtStart = ageAtStart
        self.blockReliefPercent = blockReliefPercent
        self.firstTreatment = firstTreatment
    }

    /// Reads them from `history` as of its first session day `first`, with the baseline already derived.
    ///
    /// Several ultrasound findings on the latest date count together (adhesion if any shows it,
    /// the largest thickness and area); of blocks the latest injected wins.
    init(_ history: CourseHistory, first: CalendarDate, baselineNRS: Int?) {
        if let onset = history.symptomOnset {
            symptomDuration =
                first <= onset.adding(months: 3)
                ? .underThreeMonths
                : first <= onset.adding(months: 6) ? .threeToSixMonths : .overSixMonths
        } else {
            symptomDuration = nil
        }
        let scans = history.ultrasound.filter { $0.on <= first }
        let latest = scans.map(\.on).max().map { day in scans.filter { $0.on == day } } ?? []
        adhesionOnUltrasound = latest.isEmpty ? nil : latest.contains(where: \.adhesion)
        fasciaThicknessMm = latest.compactMap(\.fasciaThicknessMm).max()
        nerveCsaMm2 = latest.compactMap(\.nerveCsaMm2).max()
        self.baselineNRS = baselineNRS
        ageAtStart = history.facts?.ageAtStart
        let blocks = history.blocks.compactMap { block -> (Date, Double)? in
            guard let at = block.performedAt, let day = block.on, day <= first else { return nil }
            return (at, BlockResult.reliefPercent(nrsBefore: block.nrsBefore, nrsAfter: block.nrsAfter))
        }
        blockReliefPercent = blocks.max { $0 < $1 }?.1
        let firstDay = history.procedures.filter { $0.on == first }
        let injectates = Set(firstDay.filter { $0.kind == .hydrodissection }.compactMap(\.injectate))
        firstTreatment =
            injectates.count > 1
            ? Injectate.mixed.rawValue
            : injectates.first?.rawValue
                ?? (firstDay.contains { $0.kind == .prp } ? "prp_injection" : firstDay.contains { $0.kind == .dextrose } ? "dextrose" : nil)
    }
}
