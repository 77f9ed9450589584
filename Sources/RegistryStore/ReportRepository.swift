import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

/// Reports over the streamed course histories.
public struct ReportRepository: Repository {
    /// The primary: the audit row of each run.
    let database: RegistryDatabase
    /// Where the histories are read (a replica when one serves).
    let reads: ReadSource

    public init(database: RegistryDatabase, reads: ReadSource? = nil) {
        self.database = database
        self.reads = reads ?? ReadSource(primary: database)
    }

    /// The outcome report over `filter`'s courses within `scope` (nil: every site).
    ///
    /// The run is audited on the primary first; then the histories stream into the report
    /// builder inside one transaction of the read source, so the report sees one consistent
    /// snapshot. `followUp` (the schedule's rules and today) adds follow-up completeness.
    public func outcomes(
        rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>?, followUp: FollowUpDay? = nil,
        by actor: Actor
    ) async throws -> OutcomeReport {
        try await read(rules: rules, filter: filter, scope: scope, followUp: followUp, readingAsks: followUp != nil, by: actor).report
    }

    /// `outcomes`, and which database it was read from (the dashboard says how old its data is).
    public func read(
        rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>?, followUp: FollowUpDay? = nil, by actor: Actor
    ) async throws -> (report: OutcomeReport, source: ReadSource.Choice) {
        try await read(rules: rules, filter: filter, scope: scope, followUp: followUp, readingAsks: followUp != nil, by: actor)
    }

    /// `readingAsks` false reads no messages or links: for a database from before the outbox.
    func read(
        rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>?, followUp: FollowUpDay?, readingAsks: Bool, by actor: Actor
    ) async throws -> (report: OutcomeReport, source: ReadSource.Choice) {
        let details = String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
        try await database.transaction { try await auditAction("report", actor: actor, details: details, on: $0) }
        let (source, choice) = await reads.choose()
        let report = try await source.transaction { connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger)
            try await connection.run("SET LOCAL work_mem = '64MB'", logger)
            var builder = OutcomeReportBuilder(rules: rules, filter: filter, followUp: followUp)
            try await streamHistories(siteId: filter.siteId, scope: scope, asks: readingAsks, on: connection) { builder.add($0) }
            return builder.report()
        }
        return (report, choice)
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
