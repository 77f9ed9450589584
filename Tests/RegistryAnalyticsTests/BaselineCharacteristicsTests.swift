import Foundation
import RegistryAnalytics
import RegistryCore
import Testing

/// CLINICAL.md, "Who needs more sessions?": each baseline characteristic from the course's own
/// records, the latest on or before the first session, missing kept as missing.
@Suite struct BaselineCharacteristicsTests {
    let rules: ClinicalRules
    let start = CalendarDate(iso: "2025-03-31")!

    init() throws {
        rules = try defaultRules()
    }

    func day(_ offset: Int) -> CalendarDate { start.adding(days: offset) }
    func at(_ offset: Int, hour: Int = 9) -> Date { Date(timeIntervalSince1970: Double(day(offset).dayNumber * 86400 + hour * 3600)) }

    /// First session on day 10, baseline 8 on day 0.
    func characteristics(
        onset: CalendarDate? = nil, procedures: [CourseHistory.Procedure]? = nil, blocks: [CourseHistory.Block] = [],
        ultrasound: [CourseHistory.Ultrasound] = [], age: Int? = nil
    ) -> BaselineCharacteristics? {
        let history = CourseHistory(
            startedOn: start, facts: .init(patientId: UUID(), icd10: "G57.82", ageAtStart: age, sex: nil),
            procedures: procedures ?? [.init(on: day(10), kind: .hydrodissection, injectate: .d5w)],
            scores: [.init(on: day(0), timepoint: .baseline, nrs: 8)], blocks: blocks, symptomOnset: onset,
            ultrasound: ultrasound)
        return OutcomeRules(rules).outcome(of: history).characteristics
    }

    @Test func symptomDurationCountsCalendarMonthsToTheFirstSession() {
        // First session 2025-04-10.
        let first = day(10)
        #expect(characteristics(onset: first.adding(months: -3))?.symptomDuration == .underThreeMonths)
        #expect(characteristics(onset: first.adding(months: -3).adding(days: -1))?.symptomDuration == .threeToSixMonths)
        #expect(characteristics(onset: first.adding(months: -6))?.symptomDuration == .threeToSixMonths)
        #expect(characteristics(onset: first.adding(months: -6).adding(days: -1))?.symptomDuration == .overSixMonths)
        #expect(characteristics(onset: nil)?.symptomDuration == nil)
        #expect(BaselineCharacteristics.SymptomDuration.threeToSixMonths.chronic && !BaselineCharacteristics.SymptomDuration.underThreeMonths.chronic)
    }

    @Test func calendarMonthsEndOnTheMonthsLastDay() {
        #expect(CalendarDate(iso: "2025-11-30")!.adding(months: 3) == CalendarDate(iso: "2026-02-28")!)
        #expect(CalendarDate(iso: "2024-01-31")!.adding(months: 1) == CalendarDate(iso: "2024-02-29")!)
        #expect(CalendarDate(iso: "2025-03-15")!.adding(months: -14) == CalendarDate(iso: "2024-01-15")!)
    }

    @Test func theLatestUltrasoundOnOrBeforeTheFirstSessionCountsAndAnySignIsAdhesion() {
        let scans: [CourseHistory.Ultrasound] = [
            .init(on: day(-20), nerveCsaMm2: 5, fasciaThicknessMm: 2.5, fasciaAdhesion: true),
            .init(on: day(5), nerveCsaMm2: 3.1, fasciaThicknessMm: 1.2),
            .init(on: day(5), nerveCsaMm2: 2.9, fasciaThicknessMm: 1.4, tunnelNarrowing: true),
            .init(on: day(30), nerveCsaMm2: 9, fasciaThicknessMm: 9, restrictedGliding: true),
        ]
        let c = characteristics(ultrasound: scans)
        #expect(c?.adhesionOnUltrasound == true && c?.fasciaThicknessMm == 1.4 && c?.nerveCsaMm2 == 3.1)
        let clear = characteristics(ultrasound: [.init(on: day(10), fasciaThicknessMm: 1.0), .init(on: day(30), fasciaAdhesion: true)])
        #expect(clear?.adhesionOnUltrasound == false && clear?.nerveCsaMm2 == nil)
        // Only a scan after the first session: missing, not "no adhesion".
        #expect(characteristics(ultrasound: [.init(on: day(11), restrictedGliding: true)])?.adhesionOnUltrasound == nil)
    }

    @Test func theLatestBlockOnOrBeforeTheFirstSessionDayGivesTheRelief() {
        let blocks: [CourseHistory.Block] = [
            .init(performedAt: at(0), nrsBefore: 8, nrsAfter: 2, assessedMinutesAfter: 10),
            .init(performedAt: at(10, hour: 8), nrsBefore: 8, nrsAfter: 4, assessedMinutesAfter: 10),
            .init(performedAt: at(11), nrsBefore: 8, nrsAfter: 0, assessedMinutesAfter: 10),
        ]
        #expect(characteristics(blocks: blocks)?.blockReliefPercent == 50)
        #expect(characteristics(blocks: [blocks[2]])?.blockReliefPercent == nil)
    }

    @Test func theFirstTreatmentIsTheInjectateElseTheProcedure() {
        let d = day(10)
        #expect(
            characteristics(procedures: [.init(on: d, kind: .prp), .init(on: d, kind: .hydrodissection, injectate: .normalSaline)])?.firstTreatment
                == "normal_saline")
        #expect(
            characteristics(procedures: [
                .init(on: d, kind: .hydrodissection, injectate: .d5w), .init(on: d, kind: .hydrodissection, injectate: .prp),
            ])?.firstTreatment == "mixed")
        #expect(
            characteristics(procedures: [.init(on: d, kind: .prp), .init(on: day(30), kind: .hydrodissection, injectate: .d5w)])?.firstTreatment
                == "prp_injection")
        #expect(characteristics(procedures: [.init(on: d, kind: .dextrose)])?.firstTreatment == "dextrose")
    }

    @Test func ageAndBaselineComeFromTheCourseAndACourseWithoutSessionsHasNone() {
        let c = characteristics(age: 47)
        #expect(c?.ageAtStart == 47 && c?.baselineNRS == 8)
        #expect(characteristics(procedures: [])?.ageAtStart == nil)
        #expect(characteristics(procedures: []) == nil)
    }
}
