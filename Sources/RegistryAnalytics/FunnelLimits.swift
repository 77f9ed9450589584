import Foundation

/// Control limits of a funnel plot (CLINICAL.md, "Comparing clinicians and branches fairly"):
/// exact, with the interpolation of Spiegelhalter (Stat Med 2005, appendix A.1), at the four
/// probabilities drawn (99.8% and 95%, both sides).
public struct FunnelLimits: Codable, Sendable, Equatable {
    /// The precision the limits are for: a provider's n (proportions) or E (ratios).
    public let precision: Double
    public let lower998: Double
    public let lower95: Double
    public let upper95: Double
    public let upper998: Double

    static let probabilities = (lower998: 0.001, lower95: 0.025, upper95: 0.975, upper998: 0.999)

    /// Limits for a proportion of n courses around θ₀, from Binomial(n, θ₀), clamped to [0, 1].
    public static func binomial(target: Double, n: Int) -> FunnelLimits {
        let limit = { (p: Double) in min(1, max(0, interpolated(p, cdf: BinomialCDF(n: n, theta: target)) / Double(n))) }
        let p = probabilities
        return FunnelLimits(
            precision: Double(n), lower998: limit(p.lower998), lower95: limit(p.lower95), upper95: limit(p.upper95),
            upper998: limit(p.upper998))
    }

    /// Limits for an observed-to-expected ratio at expected count E, from Poisson(E).
    public static func poisson(expected: Double) -> FunnelLimits {
        let limit = { (p: Double) in max(0, interpolated(p, cdf: PoissonCDF(mean: expected)) / expected) }
        let p = probabilities
        return FunnelLimits(
            precision: expected, lower998: limit(p.lower998), lower95: limit(p.lower95), upper95: limit(p.upper95),
            upper998: limit(p.upper998))
    }

    /// Normal limits widened by the over-dispersion φ: θ₀ ± z·√(φ θ₀(1 − θ₀)/n), clamped to [0, 1].
    public static func widened(target: Double, n: Int, phi: Double) -> FunnelLimits {
        let spread = (phi * target * (1 - target) / Double(n)).squareRoot()
        let at = { (z: Double) in min(1, max(0, target + z * spread)) }
        return FunnelLimits(precision: Double(n), lower998: at(-z998), lower95: at(-z95), upper95: at(z95), upper998: at(z998))
    }

    /// r_p − α: r_p the smallest r with F(r) ≥ p, α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)).
    private static func interpolated(_ p: Double, cdf: some DiscreteCDF) -> Double {
        var below = 0.0, r = 0
        var at = cdf.probability(0)
        while at < p, r < cdf.largest {
            r += 1
            below = at
            at += cdf.probability(r)
        }
        let mass = at - below
        return Double(r) - (mass > 0 ? (at - p) / mass : 0)
    }

    /// Where a value lies against these limits.
    public func verdict(_ value: Double) -> FunnelVerdict {
        if value > upper998 { return .above998 }
        if value > upper95 { return .above95 }
        if value < lower998 { return .below998 }
        if value < lower95 { return .below95 }
        return .within
    }
}

/// z for 99.8% two-sided.
public let z998 = 3.090232

public enum FunnelVerdict: String, Codable, Sendable, CaseIterable {
    case above998 = "above_99.8", above95 = "above_95", within, below95 = "below_95", below998 = "below_99.8"
    /// Fewer than `FunnelPlot.minimumCourses` courses in the denominator.
    case tooFew = "too_few"
}

private protocol DiscreteCDF {
    /// The largest value with any probability (a bound for the search).
    var largest: Int { get }
    func probability(_ k: Int) -> Double
}

/// Probabilities from logarithms, so that large n or E never underflow to zero.
private struct BinomialCDF: DiscreteCDF {
    let n: Int
    let theta: Double
    var largest: Int { n }

    func probability(_ k: Int) -> Double {
        if theta <= 0 { return k == 0 ? 1 : 0 }
        if theta >= 1 { return k == n ? 1 : 0 }
        let trials = Double(n), successes = Double(k)
        let ways: Double = lgamma(trials + 1) - lgamma(successes + 1) - lgamma(trials - successes + 1)
        let chance: Double = successes * log(theta) + (trials - successes) * log(1 - theta)
        return exp(ways + chance)
    }
}

private struct PoissonCDF: DiscreteCDF {
    let mean: Double
    var largest: Int { Int(mean + 50 * mean.squareRoot() + 50) }

    func probability(_ k: Int) -> Double {
        mean <= 0 ? (k == 0 ? 1 : 0) : exp(-mean + Double(k) * log(mean) - lgamma(Double(k) + 1))
    }
}
