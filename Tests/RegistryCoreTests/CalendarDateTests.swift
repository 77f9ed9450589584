import Foundation
import RegistryCore
import Testing

@Suite struct CalendarDateTests {
    @Test func parsesAndPrintsISODates() {
        let date = CalendarDate(iso: "2024-02-29")
        #expect(date?.description == "2024-02-29")
        #expect(date?.dayNumber == 19782)
    }

    @Test(arguments: ["2025-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-01-32", "", "2024/01/01"])
    func rejectsImpossibleOrMalformedDates(_ text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func dayArithmeticCrossesMonthsAndLeapYears() throws {
        let start = try #require(CalendarDate(iso: "2024-02-28"))
        #expect(start.adding(days: 1).description == "2024-02-29")
        #expect(start.adding(days: 2).description == "2024-03-01")
        #expect(start.days(until: try #require(CalendarDate(iso: "2025-02-28"))) == 366)
        #expect(CalendarDate(dayNumber: -1).description == "1969-12-31")
    }

    @Test func calendarDayDependsOnTheClinicTimeZone() throws {
        let instant = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z
        #expect(CalendarDate(instant, in: .gmt).description == "2023-11-14")
        #expect(CalendarDate(instant, in: try #require(TimeZone(identifier: "Asia/Tokyo"))).description == "2023-11-15")
    }

    @Test func encodesAsAJSONString() throws {
        let date = try #require(CalendarDate(iso: "2026-03-01"))
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-03-01\"]")
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
    }
}
