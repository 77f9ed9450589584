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
    /// in date order. Block verdicts are computed with `rules` at read time.
    func timeline(
        _ courseId: UUID, rules: ClinicalRules.Block, scope: Set<UUID>? = nil,
        on connection: PostgresConnection
    ) async throws -> CourseTimeline? {
        guard let course = try await course(courseId, scope: scope, on: connection) else { return nil }
        var timeline = CourseTimeline(
            course: course, blocks: [], sessions: [], painScores: [], events: [], findings: FindingsRecord(), blockRules: rules)

        for try await r in try await connection.query(
            """
            SELECT id, performed_at, side, agent, volume_ml, nrs_before, nrs_after, assessed_minutes_after, version, voided_at, void_reason
            FROM diagnostic_blocks WHERE course_id = \(courseId) ORDER BY performed_at, created_at
            """, logger: logger
        ).decode((UUID, Date, String, String, Decimal, Int, Int, Int, Int, Date?, String?).self) {
            let block = NewBlock(
                performedAt: r.1, side: try coded(r.2), agent: try coded(r.3), volumeMl: r.4,
                nrsBefore: r.5, nrsAfter: r.6, assessedMinutesAfter: r.7)
            timeline.blocks.append(BlockRecord(id: r.0, courseId: courseId, block: block, rules: rules, version: r.8, void: voidInfo(r.9, r.10)))
        }

        var sessionIndex: [UUID: Int] = [:]
        for try await r in try await connection.query(
            """
            SELECT id, session_on::text, clinician_id, notes, version, voided_at, void_reason
            FROM treatment_sessions WHERE course_id = \(courseId) ORDER BY session_on, created_at
            """, logger: logger
        ).decode((UUID, String, UUID, String?, Int, Date?, String?).self) {
            sessionIndex[r.0] = timeline.sessions.count
            timeline.sessions.append(
                SessionRecord(
                    id: r.0, courseId: courseId, sessionOn: try calendarDate(r.1), clinicianId: r.2,
                    notes: r.3, procedures: [], version: r.4, void: voidInfo(r.5, r.6)))
        }
        for try await r in try await connection.query(
            """
            SELECT p.session_id, p.id, p.kind, p.injectate, p.volume_ml, p.leukocytes, p.dextrose_percent
            FROM procedures p JOIN treatment_sessions s ON s.id = p.session_id
            WHERE s.course_id = \(courseId) ORDER BY p.session_id, p.position
            """, logger: logger
        ).decode((UUID, UUID, String, String?, Decimal?, String?, Decimal?).self) {
            let procedure = NewProcedure(
                kind: try coded(r.2), injectate: try r.3.map { try coded($0) }, volumeMl: r.4,
                leukocytes: try r.5.map { try coded($0) }, dextrosePercent: r.6)
            if let index = sessionIndex[r.0] { timeline.sessions[index].procedures.append(ProcedureRecord(id: r.1, procedure: procedure)) }
        }

        for try await r in try await connection.query(
            """
            SELECT id, recorded_on::text, timepoint, nrs, odi, pgic, version, voided_at, void_reason, source
            FROM pain_scores WHERE course_id = \(courseId) ORDER BY recorded_on, created_at
            """, logger: logger
        ).decode((UUID, String, String, Int, Int?, Int?, Int, Date?, String?, String).self) {
            let score = NewPainScore(recordedOn: try calendarDate(r.1), timepoint: try coded(r.2), nrs: r.3, odi: r.4, pgic: r.5)
            timeline.painScores.append(
                PainScoreRecord(
                    id: r.0, courseId: courseId, score: score, source: try coded(r.9), version: r.6,
                    void: voidInfo(r.7, r.8)))
        }

        for try await r in try await connection.query(
            """
            SELECT id, kind, occurred_on::text, note, version, voided_at, void_reason
            FROM course_events WHERE course_id = \(courseId) ORDER BY occurred_on, created_at
            """, logger: logger
        ).decode((UUID, String, String, String?, Int, Date?, String?).self) {
            let event = NewCourseEvent(kind: try coded(r.1), occurredOn: try calendarDate(r.2), note: r.3)
            timeline.events.append(CourseEventRecord(id: r.0, courseId: courseId, event: event, version: r.4, void: voidInfo(r.5, r.6)))
        }

        timeline.findings = try await findings(courseId, on: connection)
        return timeline
    }

    private func findings(_ courseId: UUID, on connection: PostgresConnection) async throws -> FindingsRecord {
        var record = FindingsRecord()
        for try await r in try await connection.query(
            """
            SELECT id, recorded_on::text, pain_over_three_months, imaging_mild_only, pain_at_iliac_crest, worse_upright_eased_lying,
                   psis_pressure_reproduces, physiotherapy_relapse, version, voided_at, void_reason
            FROM screening_findings WHERE course_id = \(courseId) ORDER BY recorded_on, created_at
            """, logger: logger
        ).decode((UUID, String, Bool, Bool, Bool, Bool, Bool, Bool, Int, Date?, String?).self) {
            let values = FindingsInput.Screening(
                painOverThreeMonths: r.2, imagingMildOnly: r.3, painAtIliacCrest: r.4,
                worseUprightEasedLying: r.5, psisPressureReproduces: r.6, physiotherapyRelapse: r.7)
            record.screening.append(
                FindingRecord(id: r.0, recordedOn: try calendarDate(r.1), values: values, version: r.8, void: voidInfo(r.9, r.10)))
        }
        for try await r in try await connection.query(
            """
            SELECT id, recorded_on::text, trigger_point, trigger_point_distance_cm, lateral_bending_positive, pelvic_rotation_positive,
                   single_leg_stance_positive, straight_leg_raise_positive, strength_normal, reflexes_normal, version, voided_at, void_reason
            FROM examination_findings WHERE course_id = \(courseId) ORDER BY recorded_on, created_at
            """, logger: logger
        ).decode((UUID, String, Bool, Decimal?, Bool, Bool, Bool, Bool, Bool, Bool, Int, Date?, String?).self) {
            let values = FindingsInput.Examination(
                triggerPoint: r.2, triggerPointDistanceCm: r.3, lateralBendingPositive: r.4,
                pelvicRotationPositive: r.5, singleLegStancePositive: r.6, straightLegRaisePositive: r.7,
                strengthNormal: r.8, reflexesNormal: r.9)
            record.examination.append(
                FindingRecord(id: r.0, recordedOn: try calendarDate(r.1), values: values, version: r.10, void: voidInfo(r.11, r.12)))
        }
        for try await r in try await connection.query(
            """
            SELECT id, recorded_on::text, nerve_csa_mm2, flattening, restricted_gliding, fascia_thickness_mm, fascia_adhesion,
                   tunnel_narrowing, version, voided_at, void_reason
            FROM ultrasound_findings WHERE course_id = \(courseId) ORDER BY recorded_on, created_at
            """, logger: logger
        ).decode((UUID, String, Decimal?, Bool, Bool, Decimal?, Bool, Bool, Int, Date?, String?).self) {
            let values = FindingsInput.Ultrasound(
                nerveCsaMm2: r.2, flattening: r.3, restrictedGliding: r.4, fasciaThicknessMm: r.5,
                fasciaAdhesion: r.6, tunnelNarrowing: r.7)
            record.ultrasound.append(
                FindingRecord(id: r.0, recordedOn: try calendarDate(r.1), values: values, version: r.8, void: voidInfo(r.9, r.10)))
        }
        return record
    }
}
