import Foundation

/// How exported dates appear: shifted by a per-patient offset, or as days from the course's start.
public enum ExportDates: String, CodedValue { case shifted, relative }

/// Which courses an export covers (every table is restricted to the same courses).
public struct ExportSelection: Sendable, Codable, Equatable {
    public var siteId: UUID?
    /// Inclusive range of the course start date.
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// A cohort label of the outcome report ("1-2", "3-5", ">5", "not improved", "not evaluable").
    public var cohort: String?
    /// Courses with at least one (non-voided) procedure of this kind.
    public var procedureKind: ProcedureKind?

    public init(siteId: UUID? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil, cohort: String? = nil, procedureKind: ProcedureKind? = nil) {
        self.siteId = siteId
        self.from = from
        self.to = to
        self.cohort = cohort
        self.procedureKind = procedureKind
    }
}

/// What was asked of an export, read from text (query parameters or CLI options) with each
/// malformed value named; the store turns it into a plan with the configured key.
public struct ExportRequest: Sendable, Equatable {
    public var selection: ExportSelection
    public var dates: ExportDates

    /// `cohorts`: the labels a cohort may be (they follow the configured session cohorts).
    public static func parse(
        siteId: String?, from: String?, to: String?, cohort: String?, procedureKind: String?, dates: String?,
        cohorts: [String]
    ) throws(ValidationFailure) -> ExportRequest {
        var v = Validator()
        let span = v.days(from, "from", to: to, "to")
        var selection = ExportSelection(siteId: v.uuid(siteId, "siteId"), from: span.from, to: span.to)
        if let cohort {
            if cohorts.contains(cohort) {
                selection.cohort = cohort
            } else {
                v.fail("cohort", "one_of", "must be one of: \(cohorts.joined(separator: ", "))")
            }
        }
        selection.procedureKind = v.coded(procedureKind, "procedureKind", as: ProcedureKind.self, required: false)
        let mode = v.coded(dates, "dates", as: ExportDates.self, required: false) ?? .shifted
        return try v.finish { ExportRequest(selection: selection, dates: mode) }
    }

    /// The same from the named values of a query string or form.
    public static func parse(_ value: (String) -> String?, cohorts: [String]) throws(ValidationFailure) -> ExportRequest {
        try parse(
            siteId: value("siteId"), from: value("from"), to: value("to"), cohort: value("cohort"), procedureKind: value("procedureKind"),
            dates: value("dates"), cohorts: cohorts)
    }
}

extension ExportRequest {
    /// FHIR dates are calendar dates: days from a course's start cannot be written as one.
    public static let fhirNeedsCalendarDates = ValidationFailure(
        field: "dates", rule: "fhir_calendar_dates", message: "must be shifted for FHIR: days from the course start are not FHIR dates")

    /// This request, if it can be written as FHIR.
    public func forFHIR() throws(ValidationFailure) -> ExportRequest {
        guard dates == .shifted else { throw Self.fhirNeedsCalendarDates }
        return self
    }
}
