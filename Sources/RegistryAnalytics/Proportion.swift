import Foundation

/// The normal quantile for two-sided 95% intervals, as CLINICAL.md fixes it.
public let z95 = 1.959964

/// A proportion with its Wilson score interval.
///
/// Wilson rather than the Wald interval because registry cohorts are small and proportions sit
/// near 0 or 1, where Wald collapses to zero width or leaves [0, 1].
public struct Proportion: Codable, Sendable, Equatable {
    public let successes: Int
    public let total: Int
    /// nil when `total` is 0: there is nothing to estimate.
    public let estimate: Double?
    public let lower: Double?
    public let upper: Double?

    public init(_ successes: Int, of total: Int, z: Double = z95) {
        self.successes = successes
        self.total = total
        guard total > 0 else {
            estimate = nil
            lower = nil
            upper = nil
            return
        }
        let n = Double(total)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        estimate = p
        // Limits that reach a bound are exactly that bound, not 0.9999999999999999.
        lower = successes == 0 ? 0 : max(0, centre - half)
        upper = successes == total ? 1 : min(1, centre + half)
    }
}

/// Difference of two independent proportions with Newcombe's hybrid score interval (method 10),
/// built from each group's Wilson limits.
public struct ProportionDifference: Codable, Sendable, Equatable {
    public let first: Proportion
    public let second: Proportion
    public let difference: Double?
    public let lower: Double?
    public let upper: Double?

    public init(_ first: Proportion, _ second: Proportion) {
        self.first = first
        self.second = second
        guard let p1 = first.estimate, let l1 = first.lower, let u1 = first.upper,
            let p2 = second.estimate, let l2 = second.lower, let u2 = second.upper
        else {
            difference = nil
            lower = nil
            upper = nil
            return
        }
        let d = p1 - p2
        difference = d
        lower = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        upper = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
    }
}
