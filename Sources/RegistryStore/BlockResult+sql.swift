import RegistryCore

/// The diagnostic-block rule as SQL, for exports that PostgreSQL formats row by row. It must say
/// exactly what `BlockResult` says in Swift; `BlockRuleAgreementTests` checks every boundary.
public enum BlockRuleSQL {
    /// (NRS before − NRS after) / NRS before × 100, over SQL expressions for the two scores.
    public static func relief(nrsBefore: String, nrsAfter: String) -> String {
        "((\(nrsBefore) - \(nrsAfter)) * 100.0 / \(nrsBefore))"
    }

    /// True when the relief reaches `threshold` and the after-score was taken within the window
    /// (each argument an SQL expression or placeholder).
    public static func positive(nrsBefore: String, nrsAfter: String, minutes: String, threshold: String, minimum: String, maximum: String) -> String {
        "(\(relief(nrsBefore: nrsBefore, nrsAfter: nrsAfter)) >= \(threshold) AND \(minutes) BETWEEN \(minimum) AND \(maximum))"
    }
}
