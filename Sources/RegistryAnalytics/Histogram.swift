/// Counts per value: how the report keeps distributions in memory that grows with the number of
/// distinct values (days, session counts), not with the number of courses.
public struct Histogram: Sendable, Equatable {
    public private(set) var counts: [Int: Int] = [:]
    public private(set) var total = 0

    public init() {}

    public mutating func add(_ value: Int) {
        counts[value, default: 0] += 1
        total += 1
    }

    /// R's type 7 quantile, computed from the counts without expanding them.
    public func quantile(_ probability: Double) -> Double? {
        guard total > 0 else { return nil }
        let h = Double(total - 1) * probability
        let lower = Int(h.rounded(.down))
        let low = Double(value(atRank: lower)), high = Double(value(atRank: min(lower + 1, total - 1)))
        return low + (h - Double(lower)) * (high - low)
    }

    /// The value at 0-based position `rank` of the sorted data.
    private func value(atRank rank: Int) -> Int {
        var seen = 0
        for key in counts.keys.sorted() {
            seen += counts[key]!
            if rank < seen { return key }
        }
        return counts.keys.max()!
    }

    public var summary: Summary { Summary(n: total, median: quantile(0.5), q1: quantile(0.25), q3: quantile(0.75)) }
}

extension Summary {
    public init(n: Int, median: Double?, q1: Double?, q3: Double?) {
        self.n = n
        self.median = median
        self.q1 = q1
        self.q3 = q3
    }
}

/// Events and censorings per time, the sufficient statistic of a Kaplan–Meier curve.
public struct SurvivalCounts: Sendable, Equatable {
    public private(set) var events: [Int: Int] = [:]
    public private(set) var censored: [Int: Int] = [:]

    public init() {}

    public mutating func add(_ time: Int, event: Bool) {
        if event { events[time, default: 0] += 1 } else { censored[time, default: 0] += 1 }
    }

    public var subjects: Int { events.values.reduce(0, +) + censored.values.reduce(0, +) }

    /// In time order, for the estimators.
    public var grouped: [TimeCounts] {
        Set(events.keys).union(censored.keys).sorted().map {
            TimeCounts(time: Double($0), events: events[$0] ?? 0, censored: censored[$0] ?? 0)
        }
    }
}
