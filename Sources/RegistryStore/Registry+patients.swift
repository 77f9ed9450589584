import Foundation
import PostgresNIO
import RegistryCore

extension Registry {
    /// Registers a patient: a random id in `patients`, the identity in `patient_identities`.
    public func insertPatient(
        _ patient: NewPatient, scope: Set<UUID>? = nil, actor: Actor, on connection: PostgresConnection
    ) async throws -> PatientRecord {
        try await requireSite(patient.siteId, field: "siteId", on: connection)
        if let scope, !scope.contains(patient.siteId) {
            throw ValidationFailure(field: "siteId", rule: "your_sites", message: "must be a site you work at")
        }
        let id = UUID()
        try await connection.run("INSERT INTO patients (id, site_id) VALUES (\(id), \(patient.siteId))", logger)
        try await connection.run(
            """
            INSERT INTO patient_identities (patient_id, site_id, mrn, family_name, given_name, date_of_birth, sex, phone, email)
            VALUES (\(id), \(patient.siteId), \(patient.mrn), \(patient.familyName), \(patient.givenName),
                    \(patient.dateOfBirth.description)::date, \(patient.sex.rawValue), \(patient.phone), \(patient.email))
            """, logger)
        try await auditCreate(.patients, id: id, actor: actor, on: connection)
        try await auditCreate(.patientIdentities, id: id, actor: actor, on: connection)
        guard let record = try await self.patient(id, on: connection) else { throw StoreError.notFound("patient") }
        return record
    }

    /// The patient, if registered at a site within `scope` (nil: any site).
    public func patient(_ id: UUID, scope: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> PatientRecord? {
        try await patients(id: id, scope: scope, page: PageRequest(limit: 1), on: connection).items.first
    }

    /// Patients newest first, optionally only one (`id`) or one site's, never outside `scope`.
    public func patients(
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

    /// Patients within `scope` whose MRN, family name, given name or family-then-given name
    /// starts with `text` (case-insensitive), exact MRN matches first, then by name; at most `limit`.
    package func searchPatients(_ text: String, scope: Set<UUID>?, limit: Int, on connection: PostgresConnection) async throws -> [PatientRecord] {
        let term = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !term.isEmpty else { return [] }
        // LIKE's own wildcards in what was typed match themselves.
        let prefix =
            term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        var query = QueryBuilder(
            """
            SELECT p.id, p.site_id, i.mrn, i.family_name, i.given_name, i.date_of_birth::text, i.sex, i.phone, i.email, p.created_at
            FROM patient_identities i JOIN patients p ON p.id = i.patient_id
            WHERE true
            """)
        let like = query.bind(prefix)
        query.add(
            " AND (lower(i.mrn) LIKE \(like) OR lower(i.family_name) LIKE \(like) OR lower(i.given_name) LIKE \(like)"
                + " OR lower(i.family_name || i.given_name) LIKE \(like))")
        if let scope { query.and("i.site_id = ANY(?)", Array(scope)) }
        query.add(" ORDER BY lower(i.mrn) = \(query.bind(term)) DESC, i.family_name, i.given_name, i.mrn LIMIT \(query.bind(limit))")
        var found: [PatientRecord] = []
        for try await row in try await connection.query(query.query, logger: logger)
            .decode((UUID, UUID, String, String, String, String, String, String?, String?, Date).self)
        {
            found.append(
                PatientRecord(
                    id: row.0, siteId: row.1, mrn: row.2, familyName: row.3, givenName: row.4, dateOfBirth: try calendarDate(row.5),
                    sex: try coded(row.6), phone: row.7, email: row.8, createdAt: row.9))
        }
        return found
    }

    /// A site must exist for a record to name it; this says so against the field that named it.
    func requireSite(_ id: UUID, field: String, on connection: PostgresConnection) async throws {
        let found = try await connection.query("SELECT 1 FROM sites WHERE id = \(id)", logger: logger).decode(Int.self).first { _ in true }
        if found == nil { throw ValidationFailure(field: field, rule: "exists", message: "names no registered site") }
    }
}

/// Drops the extra row fetched by `keyset` and issues the cursor of the last kept row when
/// another page follows.
func trimmed<Item>(_ rows: [(Item, PageRequest.Cursor)], page: PageRequest) -> Page<Item> {
    let kept = rows.prefix(page.limit)
    let more = rows.count > page.limit
    return Page(items: kept.map(\.0), nextCursor: more ? kept.last?.1.text : nil)
}
