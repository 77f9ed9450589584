import Foundation
import RegistryCore
import Testing

/// The input rules of every record, checked without a database.
@Suite struct ValidationTests {
    let context: ValidationContext
    let courseStart = CalendarDate(iso: "2026-01-10")!

    init() throws {
        let config = try RegistryConfig.load(file: ConfigTests.file, environment: [:])
        context = ValidationContext(now: Date(timeIntervalSince1970: 1_780_000_000), today: CalendarDate(iso: "2026-05-28")!, rules: config.clinical)
    }

    func problems(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let error as ValidationFailure {
            return error.problems.map { "\($0.field):\($0.rule)" }
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    var goodBlock: BlockInput {
        BlockInput(
            performedAt: "2026-02-01T09:30:00Z", side: "left", agent: "lidocaine", volumeMl: 5, nrsBefore: 8, nrsAfter: 3, assessedMinutesAfter: 10)
    }

    @Test func blockOfEightToThreeAtTenMinutesIsPositiveWithReliefSixtyTwoPointFive() throws {
        let block = try goodBlock.validated(context, courseStart: courseStart)
        let result = BlockResult(
            nrsBefore: block.nrsBefore, nrsAfter: block.nrsAfter, assessedMinutesAfter: block.assessedMinutesAfter,
            rules: context.rules.block)
        #expect(result.reliefPercent == 62.5)
        #expect(result.positive)
    }

    @Test func reliefBelowTheConfiguredThresholdIsNegative() {
        var rules = context.rules.block
        #expect(!BlockResult(nrsBefore: 8, nrsAfter: 5, assessedMinutesAfter: 10, rules: rules).positive)  // 37.5%
        rules.positiveReliefPercent = 30
        #expect(BlockResult(nrsBefore: 8, nrsAfter: 5, assessedMinutesAfter: 10, rules: rules).positive)
    }

    @Test func blockWithNRSBeforeZeroOrAssessedThreeHoursLaterIsRefused() {
        var block = goodBlock
        block.nrsBefore = 0
        block.assessedMinutesAfter = 180
        #expect(problems { _ = try block.validated(context, courseStart: courseStart) } == ["nrsBefore:range", "assessedMinutesAfter:range"])
    }

    @Test(arguments: [11, -1])
    func painScoreOutsideZeroToTenIsRefused(_ nrs: Int) {
        let score = PainScoreInput(recordedOn: "2026-02-01", timepoint: "follow_up", nrs: nrs)
        #expect(problems { _ = try score.validated(context, courseStart: courseStart) } == ["nrs:range"])
    }

    @Test func futureDatesAndDatesBeforeTheCourseAreRefused() {
        let future = PainScoreInput(recordedOn: "2026-05-29", timepoint: "follow_up", nrs: 3)
        #expect(problems { _ = try future.validated(context, courseStart: courseStart) } == ["recordedOn:not_in_future"])
        let early = SessionInput(sessionOn: "2026-01-09", procedures: [ProcedureInput(kind: "hydrodissection", injectate: "d5w", volumeMl: 10)])
        #expect(problems { _ = try early.validated(context, courseStart: courseStart) } == ["sessionOn:not_before_course_start"])
    }

    @Test(arguments: [Decimal(0), Decimal(500), Decimal(string: "10.25")!])
    func hydrodissectionVolumeOutOfRangeIsRefused(_ volume: Decimal) {
        let session = SessionInput(sessionOn: "2026-02-01", procedures: [ProcedureInput(kind: "hydrodissection", injectate: "d5w", volumeMl: volume)])
        #expect(problems { _ = try session.validated(context, courseStart: courseStart) }.count == 1)
    }

    @Test func unknownInjectateAndMisplacedFieldsAreNamedWithTheirIndex() {
        let session = SessionInput(
            sessionOn: "2026-02-01",
            procedures: [
                ProcedureInput(kind: "hydrodissection", injectate: "whisky", volumeMl: 10),
                ProcedureInput(kind: "prp", injectate: "d5w", volumeMl: 4),
            ])
        #expect(
            problems { _ = try session.validated(context, courseStart: courseStart) }
                == ["procedures[0].injectate:one_of", "procedures[1].injectate:not_applicable", "procedures[1].leukocytes:required"])
    }

    @Test func everyMissingRequiredFieldIsListed() {
        #expect(
            problems { _ = try CourseInput().validated(context) }
                == ["patientId:required", "siteId:required", "clinicianId:required", "side:required", "icd10:required", "startedOn:required"])
        #expect(
            problems { _ = try SessionInput(sessionOn: "2026-02-01", procedures: []).validated(context, courseStart: courseStart) }
                == ["procedures:count"])
    }

    @Test func oneHundredKilobytesOfNotesIsRefused() {
        let event = CourseEventInput(kind: "discharged", occurredOn: "2026-02-01", note: String(repeating: "x", count: 100_000))
        #expect(problems { _ = try event.validated(context, courseStart: courseStart) } == ["note:max_length"])
    }

    @Test func findingsNeedAtLeastOneSectionAndEveryAnswerInIt() {
        #expect(problems { _ = try FindingsInput(recordedOn: "2026-02-01").validated(context, courseStart: courseStart) } == ["screening:required"])
        let partial = FindingsInput(recordedOn: "2026-02-01", screening: .init(painOverThreeMonths: true))
        #expect(problems { _ = try partial.validated(context, courseStart: courseStart) }.count == 5)
    }

    @Test func patientNeedsAWellFormedMRNAndEmail() {
        let patient = PatientInput(
            siteId: UUID(), mrn: "no spaces!", familyName: "Doe", givenName: "Jane", dateOfBirth: "1970-01-01",
            sex: "female", email: "not-an-address")
        #expect(problems { _ = try patient.validated(context) } == ["mrn:format", "email:format"])
    }
}
