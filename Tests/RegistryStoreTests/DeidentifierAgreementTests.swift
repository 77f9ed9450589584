import Foundation
import NIOCore
import PostgresNIO
import RegistryCore
import RegistryStore
import RegistryTestSupport
import Testing

/// Pseudonyms and date shifts are computed in Swift (`Deidentifier`, for the courses table) and
/// in SQL (`export_mac`, `export_pseudonym`, `export_shift`, for the tables PostgreSQL formats).
/// A researcher joins the tables on them, so they must agree for every id, not just one.
@Suite struct DeidentifierAgreementTests {
    @Test(arguments: [nil, "a project key"])
    func swiftAndSQLGiveTheSamePseudonymsAndShifts(projectKey: String?) async throws {
        let deidentifier = Deidentifier(projectKey: projectKey, dates: .shifted)
        let ids = (0..<500).map { _ in UUID() }
        try await TestDatabase.withFresh { database in
            var disagreements: [String] = []
            var shifts: Set<Int> = []
            try await database.withConnection { connection in
                let query: PostgresQuery = """
                    SELECT id, export_pseudonym('C', export_mac(\(ByteBuffer(bytes: deidentifier.innerPad)), \(ByteBuffer(bytes: deidentifier.outerPad)), 'C', id)),
                           export_shift(export_mac(\(ByteBuffer(bytes: deidentifier.innerPad)), \(ByteBuffer(bytes: deidentifier.outerPad)), 'shift', id))
                    FROM unnest(\(ids)) AS id
                    """
                for try await (id, pseudonym, shift) in try await connection.query(query, logger: TestDatabase.logger).decode(
                    (UUID, String, Int).self)
                {
                    shifts.insert(shift)
                    if pseudonym != deidentifier.pseudonym("C", id) || shift != deidentifier.offsetDays(patient: id) {
                        disagreements.append(
                            "\(id): SQL \(pseudonym) \(shift), Swift \(deidentifier.pseudonym("C", id)) \(deidentifier.offsetDays(patient: id))")
                    }
                }
            }
            #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
            // The shifts spread over the whole ±180-day range.
            #expect(shifts.count > 200 && shifts.allSatisfy { (-180...180).contains($0) })
        }
    }
}
