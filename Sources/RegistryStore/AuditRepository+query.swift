import Foundation
import PostgresNIO
import RegistryCore

extension AuditRepository {
    func entries(_ request: AuditQuery, identities: Bool, on connection: PostgresConnection) async throws -> [AuditEntry] {
        func shown(_ column: String) -> String {
            identities
                ? "\(column)::text"
                : """
                CASE WHEN record_table = 'patient_identities' AND \(column) IS NOT NULL
                     THEN jsonb_build_object('patient_id', \(column)->'patient_id', 'site_id', \(column)->'site_id', 'identity', 'withheld')::text
                     ELSE \(column)::text END
                """
        }
        var query = QueryBuilder(
            """
            SELECT id, at, actor_id, actor_label, action, route, record_table, record_id, \(shown("before")),
                \(shown("after")) FROM audit_log WHERE true
            """)
        if let recordId = request.recordId { query.and("record_id = ?", recordId) }
        if let username = request.username { query.and("actor_label = ?", username) }
        if let from = request.from { query.and("at >= ?", from) }
        if let to = request.to { query.and("at < ?", to) }
        if let beforeId = request.beforeId { query.and("id < ?", beforeId) }
        query.add(" ORDER BY id DESC LIMIT \(request.limit)")
        var entries: [AuditEntry] = []
        for try await r in try await connection.query(query.query, logger: logger)
            .decode((Int64, Date, UUID?, String, String, String, String?, UUID?, String?, String?).self)
        {
            entries.append(
                AuditEntry(
                    id: r.0, at: r.1, actorId: r.2, actor: r.3, action: r.4, route: r.5, recordTable: r.6, recordId: r.7,
                    before: r.8, after: r.9))
        }
        return entries
    }
}
