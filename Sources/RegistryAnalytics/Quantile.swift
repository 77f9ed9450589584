/// R's type 7 quantile (linear interpolation between order statistics), R's default, so the
/// registry's medians and IQRs match what a researcher gets from the exported data.
public func quantile7(_ values: [Double], _ probability: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let h = Double(sorted.count - 1) * probability
    let lower = Int(h.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
}

/// Median and quartiles, with n.
public struct Summary: Codable, Sendable, Equatable {
    public let n: Int
    public let median: Double?
    public let q1: Double?
    public let q3: Double?

    public init(_ values: [Double]) {
        n = values.count
        median = quantile7(values, 0.5)
        q1 = quantile7(values, 0.25)
        q3 = quantile7(values, 0.75)
    }
}
