import Foundation
import PostgresNIO
import RegistryCore

/// Reading courses and their records: the course's own pages, the patient's list, corrections and
/// the FHIR bundle read them the same way, never outside `scope`.
protocol CourseRows: Repository {}

/// A course's columns, read and decoded in one place by every statement that lists courses.
enum CourseColumns {
    /// The course's status: its latest ending or pausing event, or active.
    static let status = """
        coalesce((SELECT e.kind FROM course_events e
                  WHERE e.course_id = c.id AND e.voided_at IS NULL AND e.kind <> 'recurrence_observed'
                  ORDER BY e.occurred_on DESC, e.created_at DESC LIMIT 1), 'active')
        """
    /// On alias `c` (treatment_courses), ending with the keyset cursor's microseconds.
    static let sql = """
        c.id, c.patient_id, c.site_id, c.clinician_id, c.side, c.icd10, c.symptom_onset::text, c.started_on::text, c.notes, \(status),
        c.created_at, c.version, c.voided_at, c.void_reason, (extract(epoch FROM c.created_at) * 1000000)::int8
        """
    static let count = 15

    /// The course in the columns from `start`, with its cursor; nil when they are NULL (an outer
    /// join found none).
    static func decode(_ cells: PostgresRandomAccessRow, from start: Int) throws -> (record: CourseRecord, cursor: PageRequest.Cursor)? {
        guard cells[start].bytes != nil else { return nil }
        func cell<T: PostgresDecodable>(_ offset: Int, as type: T.Type = T.self) throws -> T { try cells[start + offset].decode(T.self) }
        let record = CourseRecord(
            id: try cell(0), patientId: try cell(1), siteId: try cell(2), clinicianId: try cell(3), side: try cell(4),
            icd10: try cell(5), symptomOnset: try cell(6), startedOn: try cell(7), notes: try cell(8), status: try cell(9),
            createdAt: try cell(10), version: try cell(11), void: voidInfo(try cell(12), try cell(13)))
        return (record, PageRequest.Cursor(createdMicros: try cell(14), id: record.id))
    }
}

extension CourseRows {
    /// The course, if it is at a site within `scope` (nil: any site).
    func course(_ id: UUID, scope: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> CourseRecord? {
        try await courses(id: id, scope: scope, page: PageRequest(limit: 1), on: connection).items.first
    }

    /// Courses newest first, filtered by whichever of patient and site are given, never outside `scope`.
    func courses(
        id: UUID? = nil, patientId: UUID? = nil, siteId: UUID? = nil, scope: Set<UUID>? = nil, page: PageRequest,
        on connection: PostgresConnection
    ) async throws -> Page<CourseRecord> {
        var query = QueryBuilder("SELECT \(CourseColumns.sql) FROM treatment_courses c WHERE true")
        if let id { query.and("c.id = ?", id) }
        if let patientId { query.and("c.patient_id = ?", patientId) }
        if let siteId { query.and("c.site_id = ?", siteId) }
        if let scope { query.and("c.site_id = ANY(?)", Array(scope)) }
        query.addKeyset(page, alias: "c")
        var rows: [(CourseRecord, PageRequest.Cursor)] = []
        for try await row in try await connection.query(query.query, logger: logger) {
            if let course = try CourseColumns.decode(row.makeRandomAccess(), from: 0) { rows.append(course) }
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
