import Foundation
import PostgresNIO
import RegistryCore

/// Inserts of a course and the records that hang off it. Each runs in the caller's transaction
/// (a record's after `openCourse` has checked the course exists) and appends its audit row.
extension CourseRepository {
    /// Opens a course. A patient who is unknown or registered at a site outside `scope` is 404
    /// alike, so the answer never tells whether an id exists elsewhere. The course belongs to the
    /// patient's own site (a branch never holds another branch's patient), and its clinician
    /// must work there.
    func insertCourse(
        _ course: NewCourse, scope: Set<UUID>? = nil, actor: Actor, on connection: PostgresConnection
    ) async throws -> CourseRecord {
        let patientSite = try await connection.query("SELECT site_id FROM patients WHERE id = \(course.patientId)", logger: logger)
            .decode(UUID.self).first { _ in true }
        guard let patientSite, scope?.contains(patientSite) ?? true else { throw StoreError.notFound("patient \(course.patientId)") }
        if course.siteId != patientSite {
            throw ValidationFailure(field: "siteId", rule: "patient_site", message: "must be the site the patient is registered at")
        }
        try await requireClinician(course.clinicianId, field: "clinicianId", at: course.siteId, on: connection)
        let id = UUID()
        try await connection.run(
            """
            INSERT INTO treatment_courses (id, patient_id, site_id, clinician_id, side, icd10, symptom_onset, started_on, notes, created_by)
            VALUES (\(id), \(course.patientId), \(course.siteId), \(course.clinicianId), \(course.side.rawValue), \(course.icd10),
                    \(course.symptomOnset?.description)::date, \(course.startedOn.description)::date, \(course.notes), \(actor.userId))
            """, logger)
        try await auditCreate(.treatmentCourses, id: id, actor: actor, on: connection)
        guard let record = try await self.course(id, on: connection) else { throw StoreError.notFound("course") }
        return record
    }

    /// What adding a record to a course needs: when the course started and who treats it.
    /// The row is locked FOR SHARE so the course cannot change underneath the insert. A voided
    /// course takes no new records and reads as absent.
    func openCourse(_ id: UUID, scope: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> OpenCourse {
        let row = try await connection.query(
            """
            SELECT started_on::text, clinician_id, site_id FROM treatment_courses WHERE id = \(id) AND voided_at IS NULL FOR SHARE
            """, logger: logger
        ).decode((String, UUID, UUID).self).first { _ in true }
        // A course at another site reads as absent, so its existence does not leak.
        guard let row, scope?.contains(row.2) ?? true else { throw StoreError.notFound("course \(id)") }
        return OpenCourse(id: id, startedOn: try calendarDate(row.0), clinicianId: row.1, siteId: row.2)
    }

    func insertBlock(
        _ block: NewBlock, courseId: UUID, rules: ClinicalRules.Block, actor: Actor,
        on connection: PostgresConnection
    ) async throws -> BlockRecord {
        let id = UUID()
        try await connection.run(
            """
            INSERT INTO diagnostic_blocks (id, course_id, performed_at, side, agent, volume_ml, nrs_before, nrs_after,
                                           assessed_minutes_after, created_by)
            VALUES (\(id), \(courseId), \(block.performedAt), \(block.side.rawValue), \(block.agent.rawValue), \(block.volumeMl),
                    \(block.nrsBefore), \(block.nrsAfter), \(block.assessedMinutesAfter), \(actor.userId))
            """, logger)
        try await auditCreate(.diagnosticBlocks, id: id, actor: actor, on: connection)
        return BlockRecord(id: id, courseId: courseId, block: block, rules: rules, version: 1, void: nil)
    }

    func insertSession(
        _ session: NewSession, courseId: UUID, clinicianId: UUID, actor: Actor,
        on connection: PostgresConnection
    ) async throws -> SessionRecord {
        let site = try await connection.query("SELECT site_id FROM treatment_courses WHERE id = \(courseId)", logger: logger)
            .decode(UUID.self).first { _ in true }
        guard let site else { throw StoreError.notFound("course \(courseId)") }
        try await requireClinician(clinicianId, field: "clinicianId", at: site, on: connection)
        let id = UUID()
        try await connection.run(
            """
            INSERT INTO treatment_sessions (id, course_id, session_on, clinician_id, notes, created_by)
            VALUES (\(id), \(courseId), \(session.sessionOn.description)::date, \(clinicianId), \(session.notes), \(actor.userId))
            """, logger)
        var procedures: [ProcedureRecord] = []
        for (index, procedure) in session.procedures.enumerated() {
            let procedureId = UUID()
            try await connection.run(
                """
                INSERT INTO procedures (id, session_id, position, kind, injectate, volume_ml, leukocytes, dextrose_percent)
                VALUES (\(procedureId), \(id), \(index + 1), \(procedure.kind.rawValue), \(procedure.injectate?.rawValue),
                        \(procedure.volumeMl), \(procedure.leukocytes?.rawValue), \(procedure.dextrosePercent))
                """, logger)
            procedures.append(ProcedureRecord(id: procedureId, procedure: procedure))
        }
        try await auditCreate(.treatmentSessions, id: id, actor: actor, on: connection)
        return SessionRecord(
            id: id, courseId: courseId, sessionOn: session.sessionOn, clinicianId: clinicianId,
            notes: session.notes, procedures: procedures, version: 1, void: nil)
    }

    func insertEvent(
        _ event: NewCourseEvent, courseId: UUID, actor: Actor, on connection: PostgresConnection
    ) async throws -> CourseEventRecord {
        let id = UUID()
        try await connection.run(
            """
            INSERT INTO course_events (id, course_id, kind, occurred_on, note, created_by)
            VALUES (\(id), \(courseId), \(event.kind.rawValue), \(event.occurredOn.description)::date, \(event.note), \(actor.userId))
            """, logger)
        try await auditCreate(.courseEvents, id: id, actor: actor, on: connection)
        return CourseEventRecord(id: id, courseId: courseId, event: event, version: 1, void: nil)
    }

    /// Stores each present findings section as its own row.
    func insertFindings(
        _ findings: NewFindings, courseId: UUID, actor: Actor, on connection: PostgresConnection
    ) async throws -> FindingsRecord {
        var record = FindingsRecord()
        let day = findings.recordedOn.description
        if let s = findings.screening {
            let id = UUID()
            try await connection.run(
                """
                INSERT INTO screening_findings (id, course_id, recorded_on, pain_over_three_months, imaging_mild_only,
                    pain_at_iliac_crest, worse_upright_eased_lying, psis_pressure_reproduces, physiotherapy_relapse, created_by)
                VALUES (\(id), \(courseId), \(day)::date, \(s.painOverThreeMonths), \(s.imagingMildOnly), \(s.painAtIliacCrest),
                        \(s.worseUprightEasedLying), \(s.psisPressureReproduces), \(s.physiotherapyRelapse), \(actor.userId))
                """, logger)
            try await auditCreate(.screeningFindings, id: id, actor: actor, on: connection)
            record.screening.append(FindingRecord(id: id, recordedOn: findings.recordedOn, values: s, version: 1, void: nil))
        }
        if let e = findings.examination {
            let id = UUID()
            try await connection.run(
                """
                INSERT INTO examination_findings (id, course_id, recorded_on, trigger_point, trigger_point_distance_cm,
                    lateral_bending_positive, pelvic_rotation_positive, single_leg_stance_positive, straight_leg_raise_positive,
                    strength_normal, reflexes_normal, created_by)
                VALUES (\(id), \(courseId), \(day)::date, \(e.triggerPoint), \(e.triggerPointDistanceCm), \(e.lateralBendingPositive),
                        \(e.pelvicRotationPositive), \(e.singleLegStancePositive), \(e.straightLegRaisePositive), \(e.strengthNormal),
                        \(e.reflexesNormal), \(actor.userId))
                """, logger)
            try await auditCreate(.examinationFindings, id: id, actor: actor, on: connection)
            record.examination.append(FindingRecord(id: id, recordedOn: findings.recordedOn, values: e, version: 1, void: nil))
        }
        if let u = findings.ultrasound {
            let id = UUID()
            try await connection.run(
                """
                INSERT INTO ultrasound_findings (id, course_id, recorded_on, nerve_csa_mm2, flattening, restricted_gliding,
                    fascia_thickness_mm, fascia_adhesion, tunnel_narrowing, created_by)
                VALUES (\(id), \(courseId), \(day)::date, \(u.nerveCsaMm2), \(u.flattening), \(u.restrictedGliding),
                        \(u.fasciaThicknessMm), \(u.fasciaAdhesion), \(u.tunnelNarrowing), \(actor.userId))
                """, logger)
            try await auditCreate(.ultrasoundFindings, id: id, actor: actor, on: connection)
            record.ultrasound.append(FindingRecord(id: id, recordedOn: findings.recordedOn, values: u, version: 1, void: nil))
        }
        return record
    }
}

/// A course that exists, is not voided, and is locked for the current transaction.
public struct OpenCourse: Sendable {
    public let id: UUID
    public let startedOn: CalendarDate
    public let clinicianId: UUID
    public let siteId: UUID
}
