import Foundation
import PostgresNIO
import RegistryCore

/// A patient with their courses, newest first, and their site's name (for the page; the API
/// gives the site's id).
public struct PatientDetail: Encodable, Sendable {
    public let patient: PatientRecord
    public let siteName: String
    public let courses: [CourseRecord]
    /// Their consent to follow-up messages (the API gives it at `/patients/{id}/contact`).
    public let contact: FollowUpContact?

    enum CodingKeys: CodingKey { case patient, courses }
}

/// The patient, their site's name, their consent to follow-up messages and each of their courses
/// (at most the page maximum, the patient's columns repeated on each), in one round trip; no rows
/// when absent or outside `scope`.
struct PatientRead: ScopedRead {
    static let sql = """
        SELECT \(PatientColumns.sql), \(ContactColumns.sql), c.* FROM \(PatientColumns.from)
        LEFT JOIN follow_up_contacts f ON f.patient_id = p.id
        LEFT JOIN LATERAL (SELECT \(CourseColumns.sql) FROM treatment_courses c
                           WHERE c.patient_id = p.id AND ($2::uuid[] IS NULL OR c.site_id = ANY($2))
                           ORDER BY c.created_at DESC, c.id DESC LIMIT \(PageRequest.maximumLimit)) c ON true
        WHERE p.id = $1 AND ($2::uuid[] IS NULL OR p.site_id = ANY($2))
        ORDER BY c.created_at DESC, c.id DESC
        """
    typealias Row = (patient: SitedPatient, contact: FollowUpContact?, course: CourseRecord?)

    let id: UUID
    let scope: Set<UUID>?

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let cells = row.makeRandomAccess()
        guard let patient = try PatientColumns.decode(cells, from: 0) else { throw StoreError.notFound("patient") }
        return (
            patient, try ContactColumns.decode(cells, from: PatientColumns.count),
            try CourseColumns.decode(cells, from: PatientColumns.count + 5)?.record
        )
    }
}
