import Foundation

/// An NRS pain score, with optional ODI and PGIC, and when it was taken.
public struct PainScoreInput: Codable, Sendable {
    public var recordedOn: String?
    public var timepoint: String?
    public var nrs: Int?
    public var odi: Int?
    public var pgic: Int?

    public init(recordedOn: String? = nil, timepoint: String? = nil, nrs: Int? = nil, odi: Int? = nil, pgic: Int? = nil) {
        self.recordedOn = recordedOn
        self.timepoint = timepoint
        self.nrs = nrs
        self.odi = odi
        self.pgic = pgic
    }

    public func validated(_ context: ValidationContext, courseStart: CalendarDate? = nil) throws(ValidationFailure) -> NewPainScore {
        var v = Validator()
        let date = v.date(recordedOn, "recordedOn", notAfter: context.today)
        v.notBeforeCourseStart(date, "recordedOn", courseStart: courseStart)
        let timepoint = v.coded(timepoint, "timepoint", as: Timepoint.self)
        let nrs = v.integer(nrs, "nrs", in: 0...10)
        let odi = v.integer(odi, "odi", in: 0...100, required: false)
        let pgic = v.integer(pgic, "pgic", in: 1...7, required: false)
        return try v.finish {
            NewPainScore(recordedOn: date!, timepoint: timepoint!, nrs: nrs!, odi: odi, pgic: pgic)
        }
    }
}

public struct NewPainScore: Sendable, Equatable {
    public let recordedOn: CalendarDate
    public let timepoint: Timepoint
    public let nrs: Int
    public let odi: Int?
    public let pgic: Int?

    public init(recordedOn: CalendarDate, timepoint: Timepoint, nrs: Int, odi: Int? = nil, pgic: Int? = nil) {
        self.recordedOn = recordedOn
        self.timepoint = timepoint
        self.nrs = nrs
        self.odi = odi
        self.pgic = pgic
    }
}
