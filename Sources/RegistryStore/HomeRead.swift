import Foundation
import PostgresNIO
import RegistryCore

/// What home lists: the newest courses and those waiting for a pain score, with their patients.
public struct HomeCourses: Sendable {
    public internal(set) var recent: [CourseRecord]
    public internal(set) var awaitingScore: [CourseRecord]
    public internal(set) var patients: [UUID: PatientRecord]
}

/// Home's two lists in one round trip, each course with its patient's columns: list 0 the newest
/// courses, list 1 the open courses with a session and no pain score (other than one taken
/// immediately after a procedure) dated after their latest session.
struct HomeRead: PostgresPreparedStatement {
    static let limit = 20
    static let sql = """
        (SELECT 0::int2, \(CourseColumns.sql), \(PatientColumns.sql)
           FROM treatment_courses c JOIN (\(PatientColumns.from)) ON p.id = c.patient_id
          WHERE ($1::uuid[] IS NULL OR c.site_id = ANY($1))
          ORDER BY c.created_at DESC, c.id DESC LIMIT \(limit))
        UNION ALL
        (SELECT 1::int2, \(CourseColumns.sql), \(PatientColumns.sql)
           FROM treatment_courses c JOIN (\(PatientColumns.from)) ON p.id = c.patient_id
          WHERE ($1::uuid[] IS NULL OR c.site_id = ANY($1)) AND c.voided_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM course_events e WHERE e.course_id = c.id AND e.voided_at IS NULL AND e.kind <> 'recurrence_observed')
            AND (SELECT max(s.session_on) FROM treatment_sessions s WHERE s.course_id = c.id AND s.voided_at IS NULL)
                >= coalesce((SELECT max(x.recorded_on) FROM pain_scores x
                             WHERE x.course_id = c.id AND x.voided_at IS NULL AND x.timepoint <> 'post_procedure'), DATE '-infinity')
          ORDER BY c.created_at DESC, c.id DESC LIMIT \(limit))
        ORDER BY 1, 12 DESC, 2 DESC
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuidArray]
    typealias Row = (list: Int16, course: CourseRecord, patient: PatientRecord)

    /// nil: every site.
    let scope: Set<UUID>?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(scope.map(Array.init))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let cells = row.makeRandomAccess()
        guard let course = try CourseColumns.decode(cells, from: 1), let patient = try PatientColumns.decode(cells, from: 1 + CourseColumns.count)
        else { throw StoreError.notFound("home course") }
        return (try cells[0].decode(Int16.self), course.record, patient.record)
    }
}
