import Foundation
import RegistryCore
import Testing

/// Input the security review sent: impossible date-times, text counted as the database counts
/// it, names with nothing visible or with a direction override, and CSV cells a spreadsheet
/// would run.
@Suite struct InputSafetyTests {
    @Test(arguments: [
        "2026-02-30T10:00:00Z", "2026-02-01T25:00:00Z", "2026-02-01T23:59:60Z", "2026-02-01T10:60:00Z", "2026-02-01T10:00:00+15:00",
        "2026-02-01 10:00:00Z", "2026-02-01T10:00:00", "2026-13-01T10:00:00Z",
    ])
    func anImpossibleDateTimeIsRefusedNamingTheField(_ text: String) throws {
        #expect(Instant.parse(text) == nil)
        let tests = try ValidationTests()
        var block = tests.goodBlock
        block.performedAt = text
        #expect(tests.problems { _ = try block.validated(tests.context, courseStart: tests.courseStart) } == ["performedAt:date_time"])
    }

    @Test func realDateTimesParseToTheInstantTheyName() throws {
        #expect(Instant.parse("2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(Instant.parse("2026-02-01T09:30:00.250+08:00") == Date(timeIntervalSince1970: 1_769_909_400.25))
    }

    @Test func textIsCountedAsThePostgreSQLCountsIt() {
        var v = Validator()
        // 👍🏽 is one Character but two code points, as char_length counts.
        #expect(v.text(String(repeating: "👍🏽", count: 1_000), "notes", maxLength: 1_999) == nil)
        #expect(v.problems.map { "\($0.field):\($0.rule)" } == ["notes:max_length"])
        #expect(v.problems.first?.message.contains("2000") == true)
    }

    @Test(arguments: ["\u{AD}", "\u{FEFF}\u{AD}", "Lin\u{202E}gnp.exe", "Ann\u{2066}a", "\u{200B}"])
    func aNameWithNothingVisibleOrADirectionOverrideIsRefused(_ name: String) {
        let patient = PatientInput(siteId: UUID(), mrn: "A-1", familyName: name, givenName: "Mei", dateOfBirth: "1970-01-01", sex: "female")
        let tests = try! ValidationTests()
        // A zero-width space alone is blank to the trimming that finds a missing name: "required" then.
        let problems = tests.problems { _ = try patient.validated(tests.context) }
        #expect(problems == ["familyName:characters"] || (name == "\u{200B}" && problems == ["familyName:required"]), "\(problems)")
    }

    @Test func chineseAndHyphenatedNamesAreNames() {
        var v = Validator()
        #expect(v.name("林", "familyName", maxLength: 100) == "林")
        #expect(v.name("Smith-Jones", "familyName", maxLength: 100) == "Smith-Jones")
        #expect(v.problems.isEmpty)
    }

    @Test func aCellASpreadsheetWouldRunGetsAnApostropheAndNumbersStayNumbers() {
        #expect(CSV.field("=1+1") == "'=1+1")
        #expect(CSV.field(#"=HYPERLINK("http://evil.example","Dr")"#) == #""'=HYPERLINK(""http://evil.example"",""Dr"")""#)
        #expect(CSV.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSV.field("+1+cmd") == "'+1+cmd")
        #expect(CSV.field("\tx") == "'\tx")
        #expect(CSV.field("\rx") == "\"'\rx\"")
        #expect(CSV.field("-14.6") == "-14.6")
        #expect(CSV.field("+3") == "+3")
        #expect(CSV.field("-2+3") == "'-2+3")
        #expect(CSV.field("Dr Lin") == "Dr Lin")
    }
}
