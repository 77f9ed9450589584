import Foundation
import PostgresNIO
import RegistryCore

/// Patients and their identities.
public struct PatientRepository: PatientRows, CourseRows {
    let database: RegistryDatabase

    /// Registers a patient at one of the caller's sites.
    public func register(_ patient: NewPatient, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written {
        try await idempotentWrite(idempotency) { try await insertPatient(patient, scope: scope, actor: actor, on: $0) }
    }

    public func list(siteId: UUID?, scope: Set<UUID>?, page: PageRequest) async throws -> Page<PatientRecord> {
        try await database.withConnection { try await patients(siteId: siteId, scope: scope, page: page, on: $0) }
    }

    /// Patients at the caller's sites found by MRN or name prefix, exact MRN first (at most 20).
    public func search(_ text: String, scope: Set<UUID>?) async throws -> [PatientRecord] {
        try await database.withConnection { try await searchPatients(text, scope: scope, limit: 20, on: $0) }
    }

    /// The patients among `ids` at the caller's sites, by id (for naming the patients of a list).
    public func identities(_ ids: Set<UUID>, scope: Set<UUID>?) async throws -> [UUID: PatientRecord] {
        guard !ids.isEmpty else { return [:] }
        let page = try await database.withConnection {
            try await patients(ids: Array(ids), scope: scope, page: PageRequest(limit: min(ids.count, PageRequest.maximumLimit)), on: $0)
        }
        return Dictionary(uniqueKeysWithValues: page.items.map { ($0.id, $0) })
    }

    /// The patient with every course, or nil when absent or at another site.
    public func patient(_ id: UUID, scope: Set<UUID>?) async throws -> PatientDetail? {
        try await database.withConnection { connection in
            guard let patient = try await patient(id, scope: scope, on: connection) else { return nil }
            let courses = try await courses(patientId: id, scope: scope, page: PageRequest(limit: PageRequest.maximumLimit), on: connection)
            return PatientDetail(patient: patient, courses: courses.items)
        }
    }
}

/// A patient with their courses.
public struct PatientDetail: Codable, Sendable {
    public let patient: PatientRecord
    public let courses: [CourseRecord]
}

/// The SQL of patients and identities, on the caller's connection.
extension PatientRepository {
    /// Registers a patient: a random id in `patients`, the identity in `patient_identities`.
    func insertPatient(
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

    /// Patients within `scope` whose MRN, family name, given name or family-then-given name
    /// starts with `text` (case-insensitive), exact MRN matches first, then by name; at most `limit`.
    func searchPatients(_ text: String, scope: Set<UUID>?, limit: Int, on connection: PostgresConnection) async throws -> [PatientRecord] {
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
