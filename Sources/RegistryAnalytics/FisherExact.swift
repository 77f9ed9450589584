import Foundation

/// Fisher's exact test on a 2×2 table [[a, b], [c, d]].
public struct FisherExact: Codable, Sendable, Equatable {
    public let table: [[Int]]
    /// Sum of the probabilities of all tables with the same margins that are no more likely than
    /// the observed one (relative tolerance 1e-7, as R's fisher.test uses).
    public let twoSided: Double
    /// P(A ≥ a): the alternative that the odds ratio is greater than 1.
    public let greater: Double

    public init(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        table = [[a, b], [c, d]]
        let row1 = a + b, col1 = a + c, n = a + b + c + d
        let low = max(0, col1 - (n - row1)), high = min(row1, col1)
        // Hypergeometric probability of a table with top-left cell x, from log-factorials.
        func probability(_ x: Int) -> Double {
            exp(logChoose(col1, x) + logChoose(n - col1, row1 - x) - logChoose(n, row1))
        }
        let observed = probability(a)
        var twoSided = 0.0, greater = 0.0
        for x in low...max(low, high) where x <= high {
            let p = probability(x)
            if p <= observed * (1 + 1e-7) { twoSided += p }
            if x >= a { greater += p }
        }
        self.twoSided = min(1, twoSided)
        self.greater = min(1, greater)
    }
}

func logChoose(_ n: Int, _ k: Int) -> Double {
    guard k >= 0, k <= n else { return -.infinity }
    return lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
}
