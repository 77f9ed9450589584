import Foundation
import NIOCore
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// A course and everything recorded on it, with what its page shows around it (the patient, the
/// names of its clinician and site, its patient links and messages), in one named prepared statement and one
/// round trip: one UNION ALL branch per kind of row, each in the same typed columns (as the
/// history stream reads courses), in the order the timeline shows them. Voided records are kept
/// and marked. A course outside `scope` gives no rows at all.
struct CourseRead: ScopedRead {
    /// The kinds of row, in the order they come.
    enum Kind: Int16 {
        case course, patient, names, block, session, procedure, score, event, screening, examination, ultrasound, link, message
    }

    // Columns: kind, id, ref (a second id), day (days since 1970), instants at/at2/at3, texts t1–t5,
    // integers n1–n3, numbers as text d1–d2, flags (booleans as bits), version, then the sort keys.
    static let sql = """
        WITH c AS (SELECT * FROM treatment_courses WHERE id = $1 AND ($2::uuid[] IS NULL OR site_id = ANY($2)))
        SELECT 0::int2, c.id, c.patient_id, c.started_on - DATE '1970-01-01', c.created_at, c.voided_at, NULL::timestamptz,
               c.side, c.icd10, c.notes, c.void_reason,
               \(CourseColumns.status),
               c.patient_age_at_start, c.symptom_onset - DATE '1970-01-01', NULL::int4, c.patient_sex, NULL::text, 0, c.version,
               0::int8, c.created_at, 0, c.site_id, c.clinician_id
          FROM c
        UNION ALL
        SELECT 1::int2, p.id, p.site_id, i.date_of_birth - DATE '1970-01-01', p.created_at, NULL, NULL, i.mrn, i.family_name, i.given_name,
               i.sex, i.phone, NULL, NULL, NULL, i.email, NULL, 0, 0, 0, NULL, 0, NULL, NULL
          FROM c JOIN patients p ON p.id = c.patient_id JOIN patient_identities i ON i.patient_id = p.id
        UNION ALL
        SELECT 2::int2, c.id, NULL, NULL, NULL, NULL, NULL, (SELECT display_name FROM users WHERE id = c.clinician_id),
               (SELECT name FROM sites WHERE id = c.site_id), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0, NULL, NULL
          FROM c
        UNION ALL
        SELECT 3::int2, x.id, NULL, NULL, x.performed_at, x.voided_at, NULL, x.side, x.agent, NULL, x.void_reason, NULL,
               x.nrs_before, x.nrs_after, x.assessed_minutes_after, x.volume_ml::text, NULL, 0, x.version,
               (extract(epoch FROM x.performed_at) * 1000000)::int8, x.created_at, 0, NULL, NULL
          FROM c JOIN diagnostic_blocks x ON x.course_id = c.id
        UNION ALL
        SELECT 4::int2, x.id, x.clinician_id, x.session_on - DATE '1970-01-01', NULL, x.voided_at, NULL, NULL, NULL, x.notes, x.void_reason,
               NULL, NULL, NULL, NULL, NULL, NULL, 0, x.version, x.session_on - DATE '1970-01-01', x.created_at, 0, NULL, NULL
          FROM c JOIN treatment_sessions x ON x.course_id = c.id
        UNION ALL
        SELECT 5::int2, x.id, x.session_id, NULL, NULL, NULL, NULL, x.kind, x.injectate, x.leukocytes, NULL, NULL, NULL, NULL, NULL,
               x.volume_ml::text, x.dextrose_percent::text, 0, 0, 0, NULL, x.position, NULL, NULL
          FROM c JOIN treatment_sessions s ON s.course_id = c.id JOIN procedures x ON x.session_id = s.id
        UNION ALL
        SELECT 6::int2, x.id, NULL, x.recorded_on - DATE '1970-01-01', NULL, x.voided_at, NULL, x.timepoint, x.source, NULL, x.void_reason,
               NULL, x.nrs, x.odi, x.pgic, NULL, NULL, 0, x.version, x.recorded_on - DATE '1970-01-01', x.created_at, 0, NULL, NULL
          FROM c JOIN pain_scores x ON x.course_id = c.id
        UNION ALL
        SELECT 7::int2, x.id, NULL, x.occurred_on - DATE '1970-01-01', NULL, x.voided_at, NULL, x.kind, NULL, x.note, x.void_reason,
               NULL, NULL, NULL, NULL, NULL, NULL, 0, x.version, x.occurred_on - DATE '1970-01-01', x.created_at, 0, NULL, NULL
          FROM c JOIN course_events x ON x.course_id = c.id
        UNION ALL
        SELECT 8::int2, x.id, NULL, x.recorded_on - DATE '1970-01-01', NULL, x.voided_at, NULL, NULL, NULL, NULL, x.void_reason, NULL,
               NULL, NULL, NULL, NULL, NULL,
               x.pain_over_three_months::int4 | (x.imaging_mild_only::int4 << 1) | (x.pain_at_iliac_crest::int4 << 2)
                 | (x.worse_upright_eased_lying::int4 << 3) | (x.psis_pressure_reproduces::int4 << 4) | (x.physiotherapy_relapse::int4 << 5),
               x.version, x.recorded_on - DATE '1970-01-01', x.created_at, 0, NULL, NULL
          FROM c JOIN screening_findings x ON x.course_id = c.id
        UNION ALL
        SELECT 9::int2, x.id, NULL, x.recorded_on - DATE '1970-01-01', NULL, x.voided_at, NULL, NULL, NULL, NULL, x.void_reason, NULL,
               NULL, NULL, NULL, x.trigger_point_distance_cm::text, NULL,
               x.trigger_point::int4 | (x.lateral_bending_positive::int4 << 1) | (x.pelvic_rotation_positive::int4 << 2)
                 | (x.single_leg_stance_positive::int4 << 3) | (x.straight_leg_raise_positive::int4 << 4) | (x.strength_normal::int4 << 5)
                 | (x.reflexes_normal::int4 << 6),
               x.version, x.recorded_on - DATE '1970-01-01', x.created_at, 0, NULL, NULL
          FROM c JOIN examination_findings x ON x.course_id = c.id
        UNION ALL
        SELECT 10::int2, x.id, NULL, x.recorded_on - DATE '1970-01-01', NULL, x.voided_at, NULL, NULL, NULL, NULL, x.void_reason, NULL,
               NULL, NULL, NULL, x.nerve_csa_mm2::text, x.fascia_thickness_mm::text,
               x.flattening::int4 | (x.restricted_gliding::int4 << 1) | (x.fascia_adhesion::int4 << 2) | (x.tunnel_narrowing::int4 << 3),
               x.version, x.recorded_on - DATE '1970-01-01', x.created_at, 0, NULL, NULL
          FROM c JOIN ultrasound_findings x ON x.course_id = c.id
        UNION ALL
        SELECT 11::int2, x.id, NULL, NULL, x.created_at, x.expires_at, x.revoked_at, NULL, NULL, NULL, NULL, NULL,
               (SELECT count(*) FROM follow_up_answers a WHERE a.link_id = x.id)::int4, NULL, NULL, NULL, NULL, 0, 0,
               -(extract(epoch FROM x.created_at) * 1000000)::int8, NULL, 0, NULL, NULL
          FROM c JOIN follow_up_links x ON x.course_id = c.id
        UNION ALL
        SELECT 12::int2, x.id, NULL, x.due_on - DATE '1970-01-01', x.queued_at, x.sent_at, NULL, x.channel, x.state, x.last_error, NULL, NULL,
               x.number, x.attempts, NULL, NULL, NULL, 0, 0, -((x.due_on - DATE '1970-01-01') * 100 + x.number)::int8, NULL, 0, NULL, NULL
          FROM c JOIN follow_up_messages x ON x.course_id = c.id
        ORDER BY 1, 20, 21, 22
        """

    typealias Row = CourseRow

    let id: UUID
    let scope: Set<UUID>?

    func decodeRow(_ row: PostgresRow) throws -> CourseRow {
        let cells = row.makeRandomAccess()
        func cell<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T { try cells[column].decode(T.self) }
        guard let kind = Kind(rawValue: try cell(0)) else { throw StoreError.configuration("an unknown kind of course row") }
        return CourseRow(
            kind: kind, id: try cell(1), ref: try cell(2), day: try cell(3, as: Int32?.self).map { CalendarDate(dayNumber: Int($0)) },
            at: try cell(4), at2: try cell(5), at3: try cell(6), t1: try cell(7), t2: try cell(8), t3: try cell(9), t4: try cell(10),
            t5: try cell(11), n1: try cell(12, as: Int32?.self).map(Int.init), n2: try cell(13, as: Int32?.self).map(Int.init),
            n3: try cell(14, as: Int32?.self).map(Int.init), d1: try cell(15), d2: try cell(16), flags: Int(try cell(17, as: Int32.self)),
            version: Int(try cell(18, as: Int32.self)), siteId: try cell(22), clinicianId: try cell(23))
    }
}

/// One row of `CourseRead`, its columns named by position; `CourseReading` says what each means.
struct CourseRow: Sendable {
    let kind: CourseRead.Kind
    let id: UUID
    let ref: UUID?
    let day: CalendarDate?
    let at: Date?, at2: Date?, at3: Date?
    let t1: String?, t2: String?, t3: String?, t4: String?, t5: String?
    let n1: Int?, n2: Int?, n3: Int?
    /// Numbers as PostgreSQL writes them (or, on the course and patient rows, texts).
    let d1: String?, d2: String?
    let flags: Int
    let version: Int
    let siteId: UUID?, clinicianId: UUID?

    func flag(_ bit: Int) -> Bool { flags & (1 << bit) != 0 }
    var void: VoidInfo? { voidInfo(at2, t4) }
    func number(_ text: String?) throws -> Decimal? { try decimal(text) }
}

/// What `CourseRead` gives: the timeline, and the course page's surroundings.
struct CourseReading: Sendable {
    let timeline: CourseTimeline
    let patient: PatientRecord?
    let ageAtStart: Int?
    let sex: String?
    let clinicianName: String
    let siteName: String
    let links: [FollowUpLink]
    let messages: [OutboxMessage]

    /// The course's rows as they came; nil when there is no course row (absent, or outside the scope).
    init?(_ rows: [CourseRow], rules: ClinicalRules.Block) throws {
        guard let c = rows.first, c.kind == .course, let patientId = c.ref, let siteId = c.siteId, let clinicianId = c.clinicianId,
            let createdAt = c.at, let startedOn = c.day
        else { return nil }
        let course = CourseRecord(
            id: c.id, patientId: patientId, siteId: siteId, clinicianId: clinicianId, side: try coded(try required(c.t1, "side")),
            icd10: try required(c.t2, "icd10"), symptomOnset: c.n2.map { CalendarDate(dayNumber: $0) }, startedOn: startedOn, notes: c.t3,
            status: try coded(try required(c.t5, "status")), createdAt: createdAt, version: c.version, void: c.void)
        var timeline = CourseTimeline(
            course: course, blocks: [], sessions: [], painScores: [], events: [], findings: FindingsRecord(), blockRules: rules)
        var patient: PatientRecord?, names = ("", ""), links: [FollowUpLink] = [], messages: [OutboxMessage] = [], sessions: [UUID: Int] = [:]
        for r in rows.dropFirst() {
            switch r.kind {
            case .course: throw StoreError.configuration("a second course row")
            case .patient:
                patient = PatientRecord(
                    id: r.id, siteId: try required(r.ref, "site"), mrn: try required(r.t1, "mrn"), familyName: try required(r.t2, "family name"),
                    givenName: try required(r.t3, "given name"), dateOfBirth: try required(r.day, "date of birth"),
                    sex: try coded(try required(r.t4, "sex")), phone: r.t5, email: r.d1, createdAt: try required(r.at, "created_at"))
            case .names: names = (r.t1 ?? "", r.t2 ?? "")
            case .block:
                let block = NewBlock(
                    performedAt: try required(r.at, "performed_at"), side: try coded(try required(r.t1, "side")),
                    agent: try coded(try required(r.t2, "agent")), volumeMl: try required(try r.number(r.d1), "volume"),
                    nrsBefore: try required(r.n1, "nrs_before"), nrsAfter: try required(r.n2, "nrs_after"),
                    assessedMinutesAfter: try required(r.n3, "minutes"))
                timeline.blocks.append(BlockRecord(id: r.id, courseId: c.id, block: block, rules: rules, version: r.version, void: r.void))
            case .session:
                sessions[r.id] = timeline.sessions.count
                timeline.sessions.append(
                    SessionRecord(
                        id: r.id, courseId: c.id, sessionOn: try required(r.day, "session_on"), clinicianId: try required(r.ref, "clinician"),
                        notes: r.t3, procedures: [], version: r.version, void: r.void))
            case .procedure:
                let procedure = NewProcedure(
                    kind: try coded(try required(r.t1, "kind")), injectate: try r.t2.map { try coded($0) }, volumeMl: try r.number(r.d1),
                    leukocytes: try r.t3.map { try coded($0) }, dextrosePercent: try r.number(r.d2))
                guard let session = r.ref, let index = sessions[session] else { throw StoreError.configuration("a procedure without its session") }
                timeline.sessions[index].procedures.append(ProcedureRecord(id: r.id, procedure: procedure))
            case .score:
                let score = NewPainScore(
                    recordedOn: try required(r.day, "recorded_on"), timepoint: try coded(try required(r.t1, "timepoint")),
                    nrs: try required(r.n1, "nrs"), odi: r.n2, pgic: r.n3)
                timeline.painScores.append(
                    PainScoreRecord(
                        id: r.id, courseId: c.id, score: score, source: try coded(try required(r.t2, "source")), version: r.version, void: r.void))
            case .event:
                let event = NewCourseEvent(kind: try coded(try required(r.t1, "kind")), occurredOn: try required(r.day, "occurred_on"), note: r.t3)
                timeline.events.append(CourseEventRecord(id: r.id, courseId: c.id, event: event, version: r.version, void: r.void))
            case .screening:
                let values = FindingsInput.Screening(
                    painOverThreeMonths: r.flag(0), imagingMildOnly: r.flag(1), painAtIliacCrest: r.flag(2), worseUprightEasedLying: r.flag(3),
                    psisPressureReproduces: r.flag(4), physiotherapyRelapse: r.flag(5))
                timeline.findings.screening.append(
                    FindingRecord(id: r.id, recordedOn: try required(r.day, "recorded_on"), values: values, version: r.version, void: r.void))
            case .examination:
                let values = FindingsInput.Examination(
                    triggerPoint: r.flag(0), triggerPointDistanceCm: try r.number(r.d1), lateralBendingPositive: r.flag(1),
                    pelvicRotationPositive: r.flag(2), singleLegStancePositive: r.flag(3), straightLegRaisePositive: r.flag(4),
                    strengthNormal: r.flag(5), reflexesNormal: r.flag(6))
                timeline.findings.examination.append(
                    FindingRecord(id: r.id, recordedOn: try required(r.day, "recorded_on"), values: values, version: r.version, void: r.void))
            case .ultrasound:
                let values = FindingsInput.Ultrasound(
                    nerveCsaMm2: try r.number(r.d1), flattening: r.flag(0), restrictedGliding: r.flag(1), fasciaThicknessMm: try r.number(r.d2),
                    fasciaAdhesion: r.flag(2), tunnelNarrowing: r.flag(3))
                timeline.findings.ultrasound.append(
                    FindingRecord(id: r.id, recordedOn: try required(r.day, "recorded_on"), values: values, version: r.version, void: r.void))
            case .link:
                links.append(
                    FollowUpLink(
                        id: r.id, createdAt: try required(r.at, "created_at"), expiresAt: try required(r.at2, "expires_at"), revokedAt: r.at3,
                        answers: r.n1 ?? 0))
            case .message:
                messages.append(
                    OutboxMessage(
                        id: r.id, courseId: c.id, dueOn: try required(r.day, "due_on"), number: r.n1 ?? 0,
                        channel: try coded(try required(r.t1, "channel")),
                        state: try coded(try required(r.t2, "state")), attempts: r.n2 ?? 0, lastError: r.t3,
                        queuedAt: try required(r.at, "queued_at"),
                        sentAt: r.at2))
            }
        }
        self.timeline = timeline
        self.patient = patient
        self.ageAtStart = c.n1
        self.sex = c.d1
        self.clinicianName = names.0
        self.siteName = names.1
        self.links = links
        self.messages = messages
    }

    /// The history the outcome definitions read, from the same rows: what the history stream
    /// gives for this course (voided records left out; none for a voided course).
    var history: CourseHistory? {
        let course = timeline.course
        guard course.void == nil else { return nil }
        var history = CourseHistory(
            courseId: course.id, siteId: course.siteId, clinicianId: course.clinicianId, side: course.side, startedOn: course.startedOn,
            facts: .init(patientId: course.patientId, icd10: course.icd10, ageAtStart: ageAtStart, sex: sex), symptomOnset: course.symptomOnset)
        for session in timeline.sessions where session.void == nil {
            history.procedures += session.procedures.map { .init(on: session.sessionOn, kind: $0.kind, injectate: $0.injectate) }
        }
        history.scores = timeline.painScores.filter { $0.void == nil }.map {
            .init(on: $0.recordedOn, timepoint: $0.timepoint, nrs: $0.nrs, source: $0.source)
        }
        history.events = timeline.events.filter { $0.void == nil }.map { .init(on: $0.occurredOn, kind: $0.kind) }
        history.blocks = timeline.blocks.filter { $0.void == nil }.map {
            .init(performedAt: $0.performedAt, nrsBefore: $0.nrsBefore, nrsAfter: $0.nrsAfter, assessedMinutesAfter: $0.assessedMinutesAfter)
        }
        history.ultrasound = timeline.findings.ultrasound.filter { $0.void == nil }.map {
            .init(
                on: $0.recordedOn, nerveCsaMm2: $0.values.nerveCsaMm2.flatMap { Double("\($0)") },
                fasciaThicknessMm: $0.values.fasciaThicknessMm.flatMap { Double("\($0)") },
                fasciaAdhesion: $0.values.fasciaAdhesion ?? false, restrictedGliding: $0.values.restrictedGliding ?? false,
                tunnelNarrowing: $0.values.tunnelNarrowing ?? false)
        }
        return history
    }
}

private func decimal(_ text: String?) throws -> Decimal? {
    guard let text else { return nil }
    guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
        throw StoreError.configuration("unreadable number \(text) from the database")
    }
    return value
}

/// A column every row of its kind has.
private func required<T>(_ value: T?, _ what: String) throws -> T {
    guard let value else { throw StoreError.configuration("a course row without its \(what)") }
    return value
}
