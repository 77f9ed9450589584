import Foundation
import RegistryAnalytics
import RegistryCore

/// The store's face to the application: one repository per area, each method named for what it
/// does and owning its transaction, so no caller ever holds a connection. Database failures
/// leave it as `StoreError` (or `ValidationFailure`, `StaleVersion`), never as driver errors.
public struct Repositories: Sendable {
    public let patients: PatientRepository
    public let courses: CourseRepository
    public let corrections: CorrectionRepository
    public let reports: ReportRepository
    public let exports: ExportRepository
    public let accounts: AccountRepository
    public let audit: AuditRepository
    public let followUps: FollowUpRepository
    public let database: RegistryDatabase

    /// `credentialCacheSeconds`: how long the server may reuse who a credential belongs to
    /// (`auth.credentialCacheSeconds`; 0, the default here, asks the database every time).
    /// `writeBoundSeconds`: how long a batch of pain scores may take (`server.requestTimeoutSeconds`).
    public init(
        database: RegistryDatabase, rules: ClinicalRules, followUp: RegistryConfig.FollowUp, credentialCacheSeconds: Double = 0,
        writeBoundSeconds: Double = 5
    ) {
        let registry = Registry(database: database)
        self.database = database
        patients = PatientRepository(registry: registry)
        courses = CourseRepository(
            registry: registry, rules: rules,
            painScores: PainScoreBatches(
                database: database, bound: .milliseconds(Int64(writeBoundSeconds * 1000)),
                logger: registry.logger))
        corrections = CorrectionRepository(registry: registry, rules: rules)
        reports = ReportRepository(registry: registry)
        exports = ExportRepository(registry: registry)
        accounts = AccountRepository(
            registry: registry,
            credentials: credentialCacheSeconds > 0
                ? CredentialCache(lifetime: .milliseconds(Int(credentialCacheSeconds * 1000))) : nil)
        audit = AuditRepository(registry: registry)
        followUps = FollowUpRepository(registry: registry, rules: followUp)
    }

    /// True when the database answers a trivial query within five seconds (for /healthz).
    ///
    /// Two seconds reported a healthy but busy database as down while a new pool was still
    /// opening its first connection.
    public func databaseAnswers() async -> Bool {
        (try? await database.answering { try await database.ping() }) != nil
    }
}

/// Patients and their identities.
public struct PatientRepository: Repository {
    let registry: Registry

    /// Registers a patient at one of the caller's sites.
    public func register(_ patient: NewPatient, scope: Set<UUID>?, by actor: Actor, idempotency: Idempotency?) async throws -> Written {
        try await registry.idempotentWrite(idempotency) { try await registry.insertPatient(patient, scope: scope, actor: actor, on: $0) }
    }

    public func list(siteId: UUID?, scope: Set<UUID>?, page: PageRequest) async throws -> Page<PatientRecord> {
        try await registry.database.withConnection { try await registry.patients(siteId: siteId, scope: scope, page: page, on: $0) }
    }

    /// Patients at the caller's sites found by MRN or name prefix, exact MRN first (at most 20).
    public func search(_ text: String, scope: Set<UUID>?) async throws -> [PatientRecord] {
        try await registry.database.withConnection { try await registry.searchPatients(text, scope: scope, limit: 20, on: $0) }
    }

    /// The patients among `ids` at the caller's sites, by id (for naming the patients of a list).
    public func identities(_ ids: Set<UUID>, scope: Set<UUID>?) async throws -> [UUID: PatientRecord] {
        guard !ids.isEmpty else { return [:] }
        let page = try await registry.database.withConnection {
            try await registry.patients(ids: Array(ids), scope: scope, page: PageRequest(limit: min(ids.count, PageRequest.maximumLimit)), on: $0)
        }
        return Dictionary(uniqueKeysWithValues: page.items.map { ($0.id, $0) })
    }

    /// The patient with every course, or nil when absent or at another site.
    public func patient(_ id: UUID, scope: Set<UUID>?) async throws -> PatientDetail? {
        try await registry.database.withConnection { connection in
            guard let patient = try await registry.patient(id, scope: scope, on: connection) else { return nil }
            let courses = try await registry.courses(patientId: id, scope: scope, page: PageRequest(limit: PageRequest.maximumLimit), on: connection)
            return PatientDetail(patient: patient, courses: courses.items)
        }
    }
}

/// A patient with their courses.
public struct PatientDetail: Codable, Sendable {
    public let patient: PatientRecord
    public let courses: [CourseRecord]
}

/// Reports over the streamed course histories.
public struct ReportRepository: Repository {
    let registry: Registry

    public init(database: RegistryDatabase) { registry = Registry(database: database) }
    init(registry: Registry) { self.registry = registry }

    /// The outcome report over `filter`'s courses within `scope` (nil: every site).
    ///
    /// Histories stream into the report builder inside one transaction, so the report sees one
    /// consistent snapshot, and the audit row of the run is appended in the same transaction.
    /// `followUp` (the schedule's rules and today) adds follow-up completeness to the report.
    public func outcomes(
        rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>?, followUp: (rules: RegistryConfig.FollowUp, today: CalendarDate)? = nil,
        by actor: Actor
    ) async throws -> OutcomeReport {
        try await database.transaction { connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger)
            try await connection.run("SET LOCAL work_mem = '64MB'", logger)
            var builder = OutcomeReportBuilder(rules: rules, filter: filter, followUp: followUp)
            try await registry.streamHistories(siteId: filter.siteId, scope: scope, on: connection) { builder.add($0) }
            let report = builder.report()
            let details = String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
            try await registry.auditAction("report", actor: actor, details: details, on: connection)
            return report
        }
    }
}
