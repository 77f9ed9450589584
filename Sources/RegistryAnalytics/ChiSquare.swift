import Foundation

/// Upper tail of the χ² distribution: P(X ≥ x) on `degrees` degrees of freedom, the p-value of
/// the log-rank and likelihood-ratio tests. One degree of freedom uses erfc(√(x/2)) directly;
/// others the regularized upper incomplete gamma function Q(k/2, x/2).
public func chiSquarePValue(_ x: Double, degrees: Int) -> Double {
    guard x > 0, degrees > 0 else { return 1 }
    if degrees == 1 { return erfc((x / 2).squareRoot()) }
    return upperIncompleteGamma(Double(degrees) / 2, x / 2)
}

/// Two-sided p-value of a standard normal statistic (Wald tests).
public func normalTwoSidedPValue(_ z: Double) -> Double { erfc(abs(z) / 2.squareRoot()) }

/// Q(a, x) = Γ(a, x) / Γ(a): the series below a + 1, the continued fraction above it (Lentz's
/// method), each to double precision (Numerical Recipes, §6.2).
func upperIncompleteGamma(_ a: Double, _ x: Double) -> Double {
    let logPrefix = -x + a * log(x) - lgamma(a)
    if x < a + 1 {
        var term = 1 / a, sum = term, n = a
        for _ in 0..<10_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return max(0, 1 - sum * exp(logPrefix))
    }
    let tiny = 1e-300
    var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
    for i in 1..<10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return exp(logPrefix) * h
}
