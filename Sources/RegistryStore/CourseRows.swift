import Foundation
import PostgresNIO
import RegistryCore

/// Reading courses and their records: the course's own pages, the patient's list, corrections and
/// the FHIR bundle read them the same way, never outside `scope`.
protocol CourseRows: Repository {}

extension CourseRows {
    /// The course, if it is at a site within `scope` (nil: any site).
    func course(_ id: UUID, scope: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> CourseRecord? {
        try await courses(id: id, scope: scope, page: PageRequest(limit: 1), on: connection).items.first
    }

    /// Courses newest first, filtered by whichever of patient and site are given, never outside `scope`.
    /// `awaitingScore`: only open courses with a session and no pain score (other than one taken
    /// immediately after a procedure) dated after their latest session.
    func courses(
        id: UUID? = nil, patientId: UUID? = nil, siteId: UUID? = nil, scope: Set<UUID>? = nil, awaitingScore: Bool = false,
        page: PageRequest, on connection: PostgresConnection
    ) async throws -> Page<CourseRecord> {
        var query = QueryBuilder(
            """
            SELECT c.id, c.patient_id, c.site_id, c.clinician_id, c.side, c.icd10, c.symptom_onset::text, c.started_on::text,
                   c.notes, coalesce((SELECT e.kind FROM course_events e
                                      WHERE e.course_id = c.id AND e.voided_at IS NULL AND e.kind <> 'recurrence_observed'
                                      ORDER BY e.occurred_on DESC, e.created_at DESC LIMIT 1), 'active'),
                   c.created_at, c.version, c.voided_at, c.void_reason, (extract(epoch FROM c.created_at) * 1000000)::int8
            FROM treatment_courses c WHERE true
            """)
        if let id { query.and("c.id = ?", id) }
        if let patientId { query.and("c.patient_id = ?", patientId) }
        if let siteId { query.and("c.site_id = ?", siteId) }
        if let scope { query.and("c.site_id = ANY(?)", Array(scope)) }
        if awaitingScore {
            query.add(
                """
                 AND c.voided_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM course_events e WHERE e.course_id = c.id AND e.voided_at IS NULL AND e.kind <> 'recurrence_observed')
                 AND (SELECT max(s.session_on) FROM treatment_sessions s WHERE s.course_id = c.id AND s.voided_at IS NULL)
                     >= coalesce((SELECT max(p.recorded_on) FROM pain_scores p
                                  WHERE p.course_id = c.id AND p.voided_at IS NULL AND p.timepoint <> 'post_procedure'), DATE '-infinity')
                """)
        }
        query.addKeyset(page, alias: "c")
        var rows: [(CourseRecord, PageRequest.Cursor)] = []
        for try await row in try await connection.query(query.query, logger: logger)
            .decode((UUID, UUID, UUID, UUID, String, String, String?, String, String?, String, Date, Int, Date?, String?, Int64).self)
        {
            let record = CourseRecord(
                id: row.0, patientId: row.1, siteId: row.2, clinicianId: row.3, side: try coded(row.4),
                icd10: row.5, symptomOnset: try calendarDate(row.6), startedOn: try calendarDate(row.7),
                notes: row.8, status: try coded(row.9), createdAt: row.10, version: row.11,
                void: voidInfo(row.12, row.13))
            rows.append((record, PageRequest.Cursor(createdMicros: row.14, id: row.0)))
        }
        return trimmed(rows, page: page)
    }

    /// A clinician is named on a record only at a site they work at: another branch's staff
    /// would otherwise be credited with (and counted in comparisons for) this branch's work.
    func requireClinician(_ id: UUID, field: String, at siteId: UUID, on connection: PostgresConnection) async throws {
        let row = try await connection.query(
            """
            SELECT role, EXISTS (SELECT 1 FROM user_sites s WHERE s.user_id = u.id AND s.site_id = \(siteId)) FROM users u WHERE id = \(id) AND active
            """, logger: logger
        ).decode((String, Bool).self).first { _ in true }
        switch row {
        case nil: throw ValidationFailure(field: field, rule: "exists", message: "names no active user")
        case ("clinician", true)?: return
        case ("clinician", false)?:
            throw ValidationFailure(field: field, rule: "site", message: "must name a clinician who works at the course's site")
        case let (role, _)?: throw ValidationFailure(field: field, rule: "role", message: "must name a clinician, not a \(role)")
        }
    }

    /// A course and everything recorded on it, voided records included and marked, each list
    /// in date order (one statement: `CourseRead`). Block verdicts are computed with `rules` at read time.
    func timeline(
        _ courseId: UUID, rules: ClinicalRules.Block, scope: Set<UUID>? = nil,
        on connection: PostgresConnection
    ) async throws -> CourseTimeline? {
        try await read(courseId, rules: rules, scope: scope, on: connection)?.timeline
    }

    /// The course with its page's surroundings, in one round trip; nil when absent or outside `scope`.
    func read(_ courseId: UUID, rules: ClinicalRules.Block, scope: Set<UUID>?, on connection: PostgresConnection) async throws -> CourseReading? {
        var rows: [CourseRow] = []
        for try await row in try await connection.execute(CourseRead(id: courseId, scope: scope), logger: logger) { rows.append(row) }
        return try CourseReading(rows, rules: rules)
    }
}
