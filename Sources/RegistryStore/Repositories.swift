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
    public let drafts: FormDraftRepository
    public let audit: AuditRepository
    public let followUps: FollowUpRepository
    public let outbox: OutboxRepository
    public let database: RegistryDatabase
    /// Where reports and exports read: the primary, or a replica (`ReadSource`).
    public let reads: ReadSource

    /// `credentialCacheSeconds`: how long the server may reuse who a credential belongs to
    /// (`auth.credentialCacheSeconds`; 0, the default here, asks the database every time).
    /// `writeBoundSeconds`: how long a batch of pain scores may take (`server.requestTimeoutSeconds`).
    public init(
        database: RegistryDatabase, rules: ClinicalRules, followUp: RegistryConfig.FollowUp, outbox: RegistryConfig.Outbox = .off,
        timeZone: TimeZone = .gmt, credentialCacheSeconds: Double = 0, writeBoundSeconds: Double = 5, reads: ReadSource? = nil
    ) {
        self.database = database
        let reads = reads ?? ReadSource(primary: database)
        self.reads = reads
        patients = PatientRepository(database: database)
        courses = CourseRepository(
            database: database, rules: rules,
            painScores: PainScoreBatches(
                database: database, bound: .milliseconds(Int64(writeBoundSeconds * 1000)),
                logger: database.logger))
        corrections = CorrectionRepository(database: database, rules: rules)
        reports = ReportRepository(database: database, reads: reads)
        exports = ExportRepository(database: database, reads: reads)
        accounts = AccountRepository(
            database: database,
            credentials: credentialCacheSeconds > 0
                ? CredentialCache(lifetime: .milliseconds(Int(credentialCacheSeconds * 1000))) : nil)
        drafts = FormDraftRepository(database: database)
        audit = AuditRepository(database: database)
        followUps = FollowUpRepository(database: database, rules: followUp)
        self.outbox = OutboxRepository(database: database, followUps: followUps, rules: outbox, timeZone: timeZone)
    }

    /// True when the database answers a trivial query within five seconds (for /healthz).
    ///
    /// Two seconds reported a healthy but busy database as down while a new pool was still
    /// opening its first connection.
    public func databaseAnswers() async -> Bool {
        (try? await database.answering { try await database.ping() }) != nil
    }
}
