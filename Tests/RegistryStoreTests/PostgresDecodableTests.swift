import Foundation
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// The registry's own types decode straight from their columns: a `date` in binary (days since
/// 2000-01-01) or as ISO text to the same calendar day, a coded value from its text; a value
/// outside its set is a decoding error, never a wrong value.
@Suite struct PostgresDecodableTests {
    @Test func datesAndCodedValuesDecodeFromTheirColumns() async throws {
        try await TestDatabase.withFresh { database in
            try await database.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT '2026-02-01'::date, '1999-12-31'::date, '2026-02-01'::date::text, 'bilateral'::text, 'given_up'::text",
                    logger: TestDatabase.logger)
                for try await (date, before, text, side, state) in rows.decode(
                    (CalendarDate, CalendarDate, CalendarDate, Side, OutboxMessage.State).self)
                {
                    #expect(date == CalendarDate(iso: "2026-02-01") && text == date && before == CalendarDate(iso: "1999-12-31"))
                    #expect(side == .bilateral && state == .givenUp)
                }
                let odd = try await connection.query("SELECT 'sideways'::text", logger: TestDatabase.logger)
                do {
                    for try await side in odd.decode(Side.self) { Issue.record("decoded \(side)") }
                } catch let error as PostgresDecodingError {
                    #expect(error.code == .failure && error.targetType == Side.self)
                }
            }
        }
    }
}
