import Foundation
import PostgresNIO
import RegistryAnalytics
import RegistryCore

extension Registry {
    /// Streams the histories into the report builder inside one transaction, so the report sees
    /// one consistent snapshot, and appends the audit row of the run in the same transaction.
    /// `scope` limits the report to those sites (a manager's own); nil covers every site.
    public func outcomeReport(rules: ClinicalRules, filter: ReportFilter, scope: Set<UUID>? = nil, actor: Actor) async throws -> OutcomeReport {
        try await database.transaction { connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger)
            try await connection.run("SET LOCAL work_mem = '64MB'", logger)
            var builder = OutcomeReportBuilder(rules: rules, filter: filter)
            try await streamHistories(siteId: filter.siteId, scope: scope, on: connection) { builder.add($0) }
            let report = builder.report()
            let details = String(decoding: try JSONEncoder().encode(filter), as: UTF8.self)
            try await auditAction("report", actor: actor, details: details, on: connection)
            return report
        }
    }
}
