import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Courses and everything recorded on them.
public struct CourseRepository: Repository {
    let registry: Registry
    let rules: ClinicalRules
    /// The server's pain-score writer, shared by every request so concurrent scores can share a commit.
    let painScores: PainScoreBatches

    /// Opens a course for a registered patient at one of the caller's sites.
    public func open(_ course: NewCourse, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written {
        try await registry.idempotentWrite(idempotency) { try await registry.insertCourse(course, scope: scope, actor: actor, on: $0) }
    }

    public func list(patientId: UUID?, siteId: UUID?, scope: Set<UUID>?, page: PageRequest) async throws -> Page<CourseRecord> {
        try await registry.database.withConnection {
            try await registry.courses(patientId: patientId, siteId: siteId, scope: scope, page: page, on: $0)
        }
    }

    /// Open courses at the caller's sites waiting for a pain score since their latest session,
    /// newest first (at most 20): who to ask today.
    public func awaitingScore(scope: Set<UUID>?) async throws -> [CourseRecord] {
        try await database.withConnection { try await registry.courses(scope: scope, awaitingScore: true, page: PageRequest(limit: 20), on: $0) }
            .items
    }

    /// The course alone (no records), or nil when absent or at another site.
    public func course(_ id: UUID, scope: Set<UUID>?) async throws -> CourseRecord? {
        try await database.withConnection { try await registry.course(id, scope: scope, on: $0) }
    }

    /// The course with every record on it, or nil when absent or at another site.
    public func timeline(_ id: UUID, scope: Set<UUID>?) async throws -> CourseTimeline? {
        try await registry.database.withConnection { try await registry.timeline(id, rules: rules.block, scope: scope, on: $0) }
    }

    /// What the outcome definitions say about the course so far (baseline, sessions, improvement,
    /// recurrence), from the same stream the report reads; nil when absent or at another site.
    public func outcome(_ id: UUID, scope: Set<UUID>?) async throws -> CourseOutcome? {
        try await database.withConnection { try await outcome(id, scope: scope, on: $0) }
    }

    func outcome(_ id: UUID, scope: Set<UUID>?, on connection: PostgresConnection) async throws -> CourseOutcome? {
        var outcome: CourseOutcome?
        try await registry.streamHistories(courseIds: [id], scope: scope, on: connection) { outcome = OutcomeRules(rules).outcome(of: $0) }
        return outcome
    }

    public func addBlock(_ block: NewBlock, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written
    {
        try await add(block, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await registry.insertBlock(block, courseId: course.id, rules: rules.block, actor: actor, on: connection)
        }
    }

    /// A session is the course's clinician's unless it names another.
    public func addSession(
        _ session: NewSession, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        try await add(session, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await registry.insertSession(
                session, courseId: course.id, clinicianId: session.clinicianId ?? course.clinicianId, actor: actor,
                on: connection)
        }
    }

    public func addEvent(
        _ event: NewCourseEvent, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        try await add(event, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await registry.insertEvent(event, courseId: course.id, actor: actor, on: connection)
        }
    }

    public func addFindings(
        _ findings: NewFindings, to courseId: UUID, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?
    ) async throws -> Written {
        try await add(findings, to: courseId, scope: scope, idempotency: idempotency) { course, connection in
            try await registry.insertFindings(findings, courseId: course.id, actor: actor, on: connection)
        }
    }

    /// The shape every record shares: lock the course (absent or at another site: not found),
    /// check the record is not dated before it started, insert and audit, in one transaction.
    private func add<Output: Encodable>(
        _ record: some DatedCourseRecord, to courseId: UUID, scope: Set<UUID>?, idempotency: Idempotency?,
        insert: (OpenCourse, PostgresConnection) async throws -> Output
    ) async throws -> Written {
        try await registry.idempotentWrite(idempotency) { connection in
            let course = try await registry.openCourse(courseId, scope: scope, on: connection)
            try record.checkNotBefore(courseStart: course.startedOn)
            return try await insert(course, connection)
        }
    }
}
