import Foundation
import RegistryCore

/// Which courses a report covers. Every field is optional; the report echoes the filter.
public struct ReportFilter: Codable, Sendable, Equatable {
    public var siteId: UUID?
    public var clinicianId: UUID?
    /// Inclusive range of the first treatment session's date.
    public var firstSessionFrom: CalendarDate?
    public var firstSessionTo: CalendarDate?
    /// Courses with at least one hydrodissection using this injectate.
    public var injectate: Injectate?
    public var side: Side?
    /// Only the pain scores entered by this source count (the courses stay; their outcomes are
    /// worked out from those scores alone).
    public var scoreSource: ScoreSource?

    public init(
        siteId: UUID? = nil, clinicianId: UUID? = nil, firstSessionFrom: CalendarDate? = nil, firstSessionTo: CalendarDate? = nil,
        injectate: Injectate? = nil, side: Side? = nil, scoreSource: ScoreSource? = nil
    ) {
        self.siteId = siteId
        self.clinicianId = clinicianId
        self.firstSessionFrom = firstSessionFrom
        self.firstSessionTo = firstSessionTo
        self.injectate = injectate
        self.side = side
        self.scoreSource = scoreSource
    }

    /// The history as the report reads it: without the scores of another source than `scoreSource`.
    public func narrowed(_ history: CourseHistory) -> CourseHistory {
        guard let scoreSource else { return history }
        var narrowed = history
        narrowed.scores = history.scores.filter { $0.source == scoreSource }
        return narrowed
    }

    public func matches(_ history: CourseHistory, _ outcome: CourseOutcome) -> Bool {
        if let siteId, history.siteId != siteId { return false }
        if let clinicianId, history.clinicianId != clinicianId { return false }
        if let side, history.side != side { return false }
        if let injectate, !history.procedures.contains(where: { $0.kind == .hydrodissection && $0.injectate == injectate }) { return false }
        if firstSessionFrom != nil || firstSessionTo != nil {
            guard let first = outcome.firstSessionOn else { return false }
            if let from = firstSessionFrom, first < from { return false }
            if let to = firstSessionTo, first > to { return false }
        }
        return true
    }
}

extension ReportFilter {
    /// Reads the filter from text, as both the API's query parameters and the CLI's options
    /// give it, naming each parameter that is malformed.
    public static func parse(
        siteId: String?, clinicianId: String?, from: String?, to: String?, injectate: String?,
        side: String?, source: String? = nil
    ) throws(ValidationFailure) -> ReportFilter {
        var v = Validator()
        let span = v.days(from, "from", to: to, "to")
        let filter = ReportFilter(
            siteId: v.uuid(siteId, "siteId"), clinicianId: v.uuid(clinicianId, "clinicianId"),
            firstSessionFrom: span.from, firstSessionTo: span.to,
            injectate: v.coded(injectate, "injectate", as: Injectate.self, required: false),
            side: v.coded(side, "side", as: Side.self, required: false),
            scoreSource: v.coded(source, "source", as: ScoreSource.self, required: false))
        return try v.finish { filter }
    }
}
