import PostgresNIO
import RegistryStore

extension RegistryDatabase {
    /// Rows in every clinical table, for checking that a refused request wrote nothing.
    public func rowCounts() async throws -> [String: Int] {
        try await withConnection { connection in
            var counts: [String: Int] = [:]
            for table in [
                "patients", "patient_identities", "treatment_courses", "diagnostic_blocks", "treatment_sessions", "procedures",
                "pain_scores", "course_events", "screening_findings", "examination_findings", "ultrasound_findings",
                "follow_up_links", "follow_up_answers", "follow_up_reviews", "audit_log", "idempotency_keys",
            ] {
                let count =
                    try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
                    .decode(Int.self).first { _ in true } ?? 0
                counts[table] = count
            }
            return counts
        }
    }
}
