import Foundation
import PostgresNIO
import RegistryCore

/// Inserts of the records that hang off a course. Each runs in the caller's transaction after
/// `openCourse` has checked the course exists, and appends its audit row.
extension Registry {
    public func insertBlock(
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

    public func insertSession(
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

    public func insertPainScore(
        _ score: NewPainScore, courseId: UUID, source: ScoreSource = .clinician, actor: Actor,
        on connection: PostgresConnection
    ) async throws -> PainScoreRecord {
        let id = UUID()
        try await connection.run(
            """
            SELECT insert_pain_score(\(id), \(courseId), \(score.recordedOn.description)::date, \(score.timepoint.rawValue), \(score.nrs)::integer,
                                     \(score.odi)::integer, \(score.pgic)::integer, \(source.rawValue), \(actor.userId)::uuid, \(actor.label), \(actor.route))
            """, logger)
        return PainScoreRecord(id: id, courseId: courseId, score: score, source: source, version: 1, void: nil)
    }

    public func insertEvent(
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
    public func insertFindings(
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
