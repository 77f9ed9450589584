import Foundation
import PostgresNIO
import RegistryCore

/// Reading patients with their identities: the patient's own pages and every list that names
/// patients (courses, the due list) read them the same way, never outside `scope`.
protocol PatientRows: Repository {}

extension PatientRows {
    /// The patient, if registered at a site within `scope` (nil: any site).
    func patient(_ id: UUID, scope: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> PatientRecord? {
        try await patients(id: id, scope: scope, page: PageRequest(limit: 1), on: connection).items.first
    }

    /// Patients newest first, optionally only one (`id`) or one site's, never outside `scope`.
    func patients(
        id: UUID? = nil, ids: [UUID]? = nil, siteId: UUID? = nil, scope: Set<UUID>? = nil, page: PageRequest,
        on connection: PostgresConnection
    ) async throws -> Page<PatientRecord> {
        var query = QueryBuilder(
            """
            SELECT p.id, p.site_id, i.mrn, i.family_name, i.given_name, i.date_of_birth::text, i.sex, i.phone, i.email,
                   p.created_at, (extract(epoch FROM p.created_at) * 1000000)::int8
            FROM patients p JOIN patient_identities i ON i.patient_id = p.id
            WHERE true
            """)
        if let id { query.and("p.id = ?", id) }
        if let ids { query.and("p.id = ANY(?)", ids) }
        if let siteId { query.and("p.site_id = ?", siteId) }
        if let scope { query.and("p.site_id = ANY(?)", Array(scope)) }
        query.addKeyset(page, alias: "p")
        var rows: [(PatientRecord, PageRequest.Cursor)] = []
        for try await row in try await connection.query(query.query, logger: logger)
            .decode((UUID, UUID, String, String, String, String, String, String?, String?, Date, Int64).self)
        {
            let record = PatientRecord(
                id: row.0, siteId: row.1, mrn: row.2, familyName: row.3, givenName: row.4,
                dateOfBirth: try calendarDate(row.5), sex: try coded(row.6), phone: row.7, email: row.8,
                createdAt: row.9)
            rows.append((record, PageRequest.Cursor(createdMicros: row.10, id: row.0)))
        }
        return trimmed(rows, page: page)
    }
}
