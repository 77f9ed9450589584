import Foundation

/// The log-rank test of two survival curves (χ² with one degree of freedom), as the 1–2 versus
/// 3–5 comparison reports it.
public struct LogRank: Codable, Sendable, Equatable {
    public let observedFirst: Int
    public let expectedFirst: Double
    public let variance: Double
    public let chiSquare: Double?
    public let pValue: Double?

    public init(_ first: [SurvivalTime], _ second: [SurvivalTime]) {
        self.init(grouped: TimeCounts.grouping(first), TimeCounts.grouping(second))
    }

    public init(grouped first: [TimeCounts], _ second: [TimeCounts]) {
        let sums = LogRankSums(groups: [first, second])
        observedFirst = sums.observed[0]
        expectedFirst = sums.expected[0]
        variance = sums.covariance.first?.first ?? 0
        chiSquare = sums.chiSquare
        pValue = sums.chiSquare.map { chiSquarePValue($0, degrees: 1) }
    }
}

/// The log-rank test across k groups: χ² = (O − E)ᵀ V⁻¹ (O − E) over the first k − 1 groups, on
/// k − 1 degrees of freedom. Groups without subjects take no part (and lower k).
public struct LogRankTest: Codable, Sendable, Equatable {
    /// Events per group, in the order the groups were given.
    public let observed: [Int]
    public let expected: [Double]
    public let degreesOfFreedom: Int
    /// nil when fewer than two groups have subjects or the variance is singular.
    public let chiSquare: Double?
    public let pValue: Double?

    public init(_ groups: [[SurvivalTime]]) {
        self.init(grouped: groups.map(TimeCounts.grouping))
    }

    /// Each group's counts in time order.
    public init(grouped groups: [[TimeCounts]]) {
        let sums = LogRankSums(groups: groups)
        observed = sums.observed
        expected = sums.expected
        degreesOfFreedom = sums.degreesOfFreedom
        chiSquare = sums.chiSquare
        pValue = sums.chiSquare.map { chiSquarePValue($0, degrees: sums.degreesOfFreedom) }
    }
}

/// Observed and expected events per group and the covariance of O − E, summed over the distinct
/// event times; what both log-rank types report.
struct LogRankSums {
    var observed: [Int]
    var expected: [Double]
    /// Over the groups with subjects, all but the last of them.
    var covariance: [[Double]]
    var degreesOfFreedom: Int
    var chiSquare: Double?

    init(groups: [[TimeCounts]]) {
        let k = groups.count
        observed = Array(repeating: 0, count: k)
        expected = Array(repeating: 0, count: k)
        var atRisk = groups.map { $0.reduce(0) { $0 + $1.events + $1.censored } }
        let present = atRisk.indices.filter { atRisk[$0] > 0 }
        let compared = Array(present.dropLast())
        degreesOfFreedom = max(0, present.count - 1)
        covariance = Array(repeating: Array(repeating: 0, count: compared.count), count: compared.count)
        let byTime = groups.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.time, $0) }) }
        for time in Set(groups.flatMap { $0.map(\.time) }).sorted() {
            let events = byTime.map { $0[time]?.events ?? 0 }
            let d = events.reduce(0, +), n = atRisk.reduce(0, +)
            if d > 0 {
                let spread = n > 1 ? Double(d) * Double(n - d) / Double(n - 1) : 0
                for j in 0..<k {
                    observed[j] += events[j]
                    expected[j] += Double(d) * Double(atRisk[j]) / Double(n)
                }
                for (a, j) in compared.enumerated() {
                    let share = Double(atRisk[j]) / Double(n)
                    for (b, l) in compared.enumerated() {
                        covariance[a][b] += spread * share * ((j == l ? 1 : 0) - Double(atRisk[l]) / Double(n))
                    }
                }
            }
            for j in 0..<k { atRisk[j] -= (byTime[j][time]?.events ?? 0) + (byTime[j][time]?.censored ?? 0) }
        }
        let difference = compared.map { Double(observed[$0]) - expected[$0] }
        if !compared.isEmpty, let solved = Matrix.solve(covariance, difference) {
            chiSquare = zip(difference, solved).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }
}
