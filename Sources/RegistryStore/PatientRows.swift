import Foundation
import PostgresNIO
import RegistryCore

/// Reading patients with their identities: the patient's own pages and every list that names
/// patients (courses, the due list) read them the same way, never outside `scope`.
protocol PatientRows: Repository {}

/// A patient with the name of the site they are registered at.
public struct SitedPatient: Codable, Sendable, Equatable {
    public let record: PatientRecord
    public let siteName: String
}

/// A patient's columns (the identity and the site's name), read and decoded in one place by
/// every statement that names patients.
enum PatientColumns {
    /// On aliases `p` (patients), `i` (patient_identities) and `s` (sites), joined by `from`.
    static let sql = "p.id, p.site_id, i.mrn, i.family_name, i.given_name, i.date_of_birth::text, i.sex, i.phone, i.email, p.created_at, s.name"
    static let from = "patients p JOIN patient_identities i ON i.patient_id = p.id JOIN sites s ON s.id = p.site_id"
    static let count = 11

    /// The patient in the columns from `start`; nil when they are NULL (an outer join found none).
    static func decode(_ cells: PostgresRandomAccessRow, from start: Int) throws -> SitedPatient? {
        guard cells[start].bytes != nil else { return nil }
        func cell<T: PostgresDecodable>(_ offset: Int, as type: T.Type = T.self) throws -> T { try cells[start + offset].decode(T.self) }
        let record = PatientRecord(
            id: try cell(0), siteId: try cell(1), mrn: try cell(2), familyName: try cell(3), givenName: try cell(4),
            dateOfBirth: try cell(5), sex: try cell(6), phone: try cell(7),
            email: try cell(8), createdAt: try cell(9))
        return SitedPatient(record: record, siteName: try cell(10))
    }
}

extension PatientRows {
    /// The patient, if registered at a site within `scope` (nil: any site).
    func patient(_ id: UUID, scope: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> PatientRecord? {
        try await patients(id: id, scope: scope, page: PageRequest(limit: 1), on: connection).items.first?.record
    }

    /// Patients newest first, optionally only one (`id`), some (`ids`) or one site's, never outside `scope`.
    func patients(
        id: UUID? = nil, ids: [UUID]? = nil, siteId: UUID? = nil, scope: Set<UUID>? = nil, page: PageRequest,
        on connection: PostgresConnection
    ) async throws -> Page<SitedPatient> {
        var query = QueryBuilder(
            "SELECT \(PatientColumns.sql), (extract(epoch FROM p.created_at) * 1000000)::int8 FROM \(PatientColumns.from) WHERE true")
        if let id { query.and("p.id = ?", id) }
        if let ids { query.and("p.id = ANY(?)", ids) }
        if let siteId { query.and("p.site_id = ?", siteId) }
        if let scope { query.and("p.site_id = ANY(?)", Array(scope)) }
        query.addKeyset(page, alias: "p")
        var rows: [(SitedPatient, PageRequest.Cursor)] = []
        for try await row in try await connection.query(query.query, logger: logger) {
            let cells = row.makeRandomAccess()
            guard let patient = try PatientColumns.decode(cells, from: 0) else { continue }
            rows.append((patient, PageRequest.Cursor(createdMicros: try cells[PatientColumns.count].decode(Int64.self), id: patient.record.id)))
        }
        return trimmed(rows, page: page)
    }
}
