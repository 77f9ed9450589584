import Foundation
import PostgresNIO
import RegistryCore

/// Builds a query whose WHERE clause depends on which filters were given, numbering the
/// placeholders as values are bound. Only values are bound; SQL text comes from this module.
struct QueryBuilder {
    private(set) var sql: String
    private var binds = PostgresBindings()
    private var count = 0

    init(_ sql: String) { self.sql = sql }

    mutating func add(_ text: String) { sql += text }

    /// Binds `value` and returns its placeholder, such as `$3`.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        count += 1
        return "$\(count)"
    }

    /// Appends ` AND <condition>` with `?` standing for the bound `value`.
    mutating func and<Value: PostgresDynamicTypeEncodable>(_ condition: String, _ value: Value) {
        let placeholder = bind(value)
        add(" AND " + condition.replacingOccurrences(of: "?", with: placeholder))
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

extension QueryBuilder {
    /// Appends the newest-first keyset tail: resume after the cursor, fetch one extra row to know
    /// whether another page follows (see `trimmed`).
    mutating func addKeyset(_ page: PageRequest, alias: String) {
        if let after = page.after {
            let micros = bind(after.createdMicros)
            let id = bind(after.id)
            add(" AND (\(alias).created_at, \(alias).id) < (timestamptz 'epoch' + \(micros) * interval '1 microsecond', \(id))")
        }
        add(" ORDER BY \(alias).created_at DESC, \(alias).id DESC LIMIT \(page.limit + 1)")
    }
}

extension QueryBuilder {
    /// ` AND …` conditions on the course alias `c`: one site, and never outside `scope` (a
    /// manager's or clinician's sites; nil: every site). Empty when neither narrows.
    mutating func siteConditions(siteId: UUID?, scope: Set<UUID>?) -> String {
        var condition = ""
        if let siteId { condition += " AND c.site_id = \(bind(siteId))" }
        if let scope { condition += " AND c.site_id = ANY(\(bind(Array(scope))))" }
        return condition
    }
}
