import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Reports over the streamed course histories.
public struct ReportRepository: Repository {
    let database: RegistryDatabase

    public init(database: RegistryDatabase) { self.database = database }

    /// The outcome report over `filter`'s courses within `scope` (nil: every site).
    ///
    /// Histories stream into the report builder inside one transaction, so the report sees one
    /// consistent snapshot, and the audit row of the run is appended in the same transaction.
    /// `followUp` (the schedule's rules and today) adds follow-up completeness to the report.
    public func outcomes(
        rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>?, followUp: FollowUpDay? = nil,
        by actor: Actor
    ) async throws -> OutcomeReport {
        try await outcomes(rules: rules, filter: filter, scope: scope, followUp: followUp, readingAsks: followUp != nil, by: actor)
    }

    /// `readingAsks` false reads no messages or links: for a database from before the outbox.
    func outcomes(
        rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>?, followUp: FollowUpDay?, readingAsks: Bool, by actor: Actor
    ) async throws -> OutcomeReport {
        try await database.transaction { connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger)
            try await connection.run("SET LOCAL work_mem = '64MB'", logger)
            var builder = OutcomeReportBuilder(rules: rules, filter: filter, followUp: followUp)
            try await streamHistories(siteId: filter.siteId, scope: scope, asks: readingAsks, on: connection) { builder.add($0) }
            let report = builder.report()
            let details = String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
            try await auditAction("report", actor: actor, details: details, on: connection)
            return report
        }
    }

    /// The baseline of `registry bench`: every row the report reads, read sequentially with the
    /// same decoding and nothing else (no ordering, no assembling, no analysis). Returns the row count.
    public func readRawRows() async throws -> Int {
        try await database.withConnection { connection in
            var rows = 0
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: HistoryRows.sql(asks: true)), logger: logger).decode(
                HistoryRow.self)
            {
                rows += 1
            }
            return rows
        }
    }
}
