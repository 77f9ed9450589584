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
        let page = try await database.withConnection { try await patients(siteId: siteId, scope: scope, page: page, on: $0) }
        return Page(items: page.items.map(\.record), nextCursor: page.nextCursor)
    }

    /// Patients at the caller's sites found by MRN or name prefix, exact MRN first (at most 20).
    public func search(_ text: String, scope: Set<UUID>?) async throws -> [PatientRecord] {
        try await database.withConnection { try await searchPatients(text, scope: scope, limit: 20, on: $0) }
    }

    /// The patient with every course and their site's name, or nil when absent or at another site
    /// (one statement: `PatientRead`).
    public func patient(_ id: UUID, scope: Set<UUID>?) async throws -> PatientDetail? {
        try await database.withConnection { connection in
            var patient: SitedPatient?
            var contact: FollowUpContact?
            var courses: [CourseRecord] = []
            for try await row in try await connection.execute(PatientRead(id: id, scope: scope), logger: logger) {
                (patient, contact) = (row.patient, row.contact)
                if let course = row.course { courses.append(course) }
            }
            return patient.map { PatientDetail(patient: $0.record, siteName: $0.siteName, courses: courses, contact: contact) }
        }
    }
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
        var query = QueryBuilder("SELECT \(PatientColumns.sql) FROM \(PatientColumns.from) WHERE true")
        let like = query.bind(prefix)
        query.add(
            " AND (lower(i.mrn) LIKE \(like) OR lower(i.family_name) LIKE \(like) OR lower(i.given_name) LIKE \(like)"
                + " OR lower(i.family_name || i.given_name) LIKE \(like))")
        if let scope { query.and("i.site_id = ANY(?)", Array(scope)) }
        query.add(" ORDER BY lower(i.mrn) = \(query.bind(term)) DESC, i.family_name, i.given_name, i.mrn LIMIT \(query.bind(limit))")
        var found: [PatientRecord] = []
        for try await row in try await connection.query(query.query, logger: logger) {
            if let patient = try PatientColumns.decode(row.makeRandomAccess(), from: 0) { found.append(patient.record) }
        }
        return found
    }

    /// A site must exist for a record to name it; this says so against the field that named it.
    func requireSite(_ id: UUID, field: String, on connection: PostgresConnection) async throws {
        let found = try await connection.query("SELECT 1 FROM sites WHERE id = \(id)", logger: logger).decode(Int.self).first { _ in true }
        if found == nil { throw ValidationFailure(field: field, rule: "exists", message: "names no registered site") }
    }
}
