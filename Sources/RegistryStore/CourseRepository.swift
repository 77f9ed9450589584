import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Courses and everything recorded on them.
public struct CourseRepository: CourseRows, PatientRows {
    let database: RegistryDatabase
    let rules: ClinicalRules
    /// The server's pain-score writer, shared by every request so concurrent scores can share a commit.
    let painScores: PainScoreBatches

    /// Opens a course for a registered patient at one of the caller's sites.
    public func open(_ course: NewCourse, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written {
        try await idempotentWrite(idempotency) { try await insertCourse(course, scope: scope, actor: actor, on: $0) }
    }

    public func list(patientId: UUID?, siteId: UUID?, scope: Set<UUID>?, page: PageRequest) async throws -> Page<CourseRecord> {
        try await database.withConnection {
            try await courses(patientId: patientId, siteId: siteId, scope: scope, page: page, on: $0)
        }
    }

    /// Home's two lists at the caller's sites, each course with its patient, in one statement
    /// (`HomeRead`): the newest courses, and the open courses waiting for a pain score since their
    /// latest session (who to ask today), newest first, at most `HomeRead.limit` each.
    public func home(scope: Set<UUID>?) async throws -> HomeCourses {
        try await database.withConnection { connection in
            var home = HomeCourses(recent: [], awaitingScore: [], patients: [:])
            for try await (list, course, patient) in try await connection.execute(HomeRead(scope: scope), logger: logger) {
                if list == 0 { home.recent.append(course) } else { home.awaitingScore.append(course) }
                home.patients[patient.id] = patient
            }
            return home
        }
    }

    /// The course alone (no records), or nil when absent or at another site.
    public func course(_ id: UUID, scope: Set<UUID>?) async throws -> CourseRecord? {
        try await database.withConnection { try await course(id, scope: scope, on: $0) }
    }

    /// The course with every record on it, or nil when absent or at another site.
    public func timeline(_ id: UUID, scope: Set<UUID>?) async throws -> CourseTimeline? {
        try await database.withConnection { try await timeline(id, rules: rules.block, scope: scope, on: $0) }
    }

    /// What the outcome definitions say about the course so far (baseline, sessions, improvement,
    /// recurrence), from the same stream the report reads; nil when absent or at another site.
    public func outcome(_ id: UUID, scope: Set<UUID>?) async throws -> CourseOutcome? {
        try await database.withConnection { try await outcome(id, scope: scope, on: $0) }
    }

    func outcome(_ id: UUID, scope: Set<UUID>?, on connection: PostgresConnection) async throws -> CourseOutcome? {
        var outcome: CourseOutcome?
        try await streamHistories(courseIds: [id], scope: scope, on: connection) { outcome = OutcomeRules(rules).outcome(of: $0) }
        return outcome
    }

    public func addBlock(_ block: NewBlock, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written
    {
        try await add(block, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await insertBlock(block, courseId: course.id, rules: rules.block, actor: actor, on: connection)
        }
    }

    /// A session is the course's clinician's unless it names another.
    public func addSession(
        _ session: NewSession, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        try await add(session, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await insertSession(
                session, courseId: course.id, clinicianId: session.clinicianId ?? course.clinicianId, actor: actor,
                on: connection)
        }
    }

    public func addEvent(
        _ event: NewCourseEvent, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        try await add(event, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await insertEvent(event, courseId: course.id, actor: actor, on: connection)
        }
    }

    public func addFindings(
        _ findings: NewFindings, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        try await add(findings, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await insertFindings(findings, courseId: course.id, actor: actor, on: connection)
        }
    }

    /// The shape every record shares: lock the course (absent or at another site: not found),
    /// check the record is not dated before it started, insert and audit, in one transaction.
    private func add<Output: Encodable>(
        _ record: some DatedCourseRecord, to courseId: UUID, scope: Set<UUID>?, idempotency: Idempotency?,
        insert: (OpenCourse, PostgresConnection) async throws -> Output
    ) async throws -> Written {
        try await idempotentWrite(idempotency) { connection in
            let course = try await openCourse(courseId, scope: scope, on: connection)
            try record.checkNotBefore(courseStart: course.startedOn)
            return try await insert(course, connection)
        }
    }

    /// A course with its whole history written at once (the demo data; an import from another
    /// system): a new patient, the course, and every record, through the same inserts, rules and
    /// audit rows as the API's, in one transaction. The course's `patientId` is the new patient's.
    public func importCourse(_ imported: ImportedCourse, by actor: Actor) async throws -> CourseRecord {
        try await database.transaction { connection in
            let patient = try await PatientRepository(database: database).insertPatient(imported.patient, actor: actor, on: connection)
            let c = imported.course
            let course = try await insertCourse(
                NewCourse(
                    patientId: patient.id, siteId: c.siteId, clinicianId: c.clinicianId, side: c.side, icd10: c.icd10,
                    symptomOnset: c.symptomOnset, startedOn: c.startedOn, notes: c.notes),
                actor: actor, on: connection)
            let records: [any DatedCourseRecord] = imported.blocks + imported.findings + imported.sessions + imported.painScores + imported.events
            for record in records { try record.checkNotBefore(courseStart: course.startedOn) }
            for block in imported.blocks { _ = try await insertBlock(block, courseId: course.id, rules: rules.block, actor: actor, on: connection) }
            for findings in imported.findings { _ = try await insertFindings(findings, courseId: course.id, actor: actor, on: connection) }
            for session in imported.sessions {
                _ = try await insertSession(
                    session, courseId: course.id, clinicianId: session.clinicianId ?? course.clinicianId, actor: actor, on: connection)
            }
            try await addPainScores(
                imported.painScores, to: course.id, source: .clinician, by: PainScoreWriter(actor: actor, sites: nil), on: connection)
            for event in imported.events { _ = try await insertEvent(event, courseId: course.id, actor: actor, on: connection) }
            return course
        }
    }

    /// A clinician's pain score, with the same rules as every other course record (`add`): the
    /// database (`add_pain_scores`, Schema/functions/add_pain_scores.sql) replays a used key, locks the
    /// course, checks the date and writes the score, its audit row and the key's answer, which is
    /// known before the write because the record's id is chosen here. Scores sent at the same time by one caller
    /// share that statement and a commit (`PainScoreBatches`).
    public func addPainScore(
        _ score: NewPainScore, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        let record = PainScoreRecord(id: .timeOrdered(), courseId: courseId, score: score, source: .clinician, version: 1, void: nil)
        let body = try RecordJSON.encode(record)
        let write = PainScoreWrite(record: record, response: body, idempotency: idempotency)
        let outcome = try await painScores.write(write, by: PainScoreWriter(actor: actor, sites: scope))
        guard case .replayed(let requestHash, let response) = outcome else {
            try outcome.requireCreated(score, courseId: courseId)
            return Written(body: body, replayed: false)
        }
        guard let requestHash, let response else { return Written(body: body, replayed: false) }
        guard requestHash == idempotency?.requestHash else { throw StoreError.idempotencyKeyReused }
        return Written(body: response, replayed: true)
    }
}

/// A course and its history as another system (or the demo data) holds it.
public struct ImportedCourse: Sendable {
    public let patient: NewPatient
    public let course: NewCourse
    public let blocks: [NewBlock]
    public let findings: [NewFindings]
    public let sessions: [NewSession]
    public let painScores: [NewPainScore]
    public let events: [NewCourseEvent]

    public init(
        patient: NewPatient, course: NewCourse, blocks: [NewBlock], findings: [NewFindings], sessions: [NewSession],
        painScores: [NewPainScore], events: [NewCourseEvent]
    ) {
        self.patient = patient
        self.course = course
        self.blocks = blocks
        self.findings = findings
        self.sessions = sessions
        self.painScores = painScores
        self.events = events
    }
}
