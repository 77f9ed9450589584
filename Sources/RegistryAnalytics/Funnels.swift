import Foundation
import RegistryCore

/// CLINICAL.md, "Comparing clinicians and branches fairly (funnel plots)": each clinician and
/// each branch against control limits, for response among evaluable courses and for
/// improvement within the first cohort among responders, unadjusted and adjusted for case mix.
public struct Funnels: Codable, Sendable {
    public let response: FunnelMeasure
    public let firstCohortImprovement: FunnelMeasure
    public let interpretation: String

    public static let interpretationText =
        "These are associations in observational data: a provider outside the limits "
        + "differs by more than chance would usually make, after adjusting (on the adjusted plot) for the baseline "
        + "characteristics recorded; other differences in case mix may remain. Providers inside the limits cannot be ranked."
}

/// One measure's funnel plots (per clinician and per branch) and its case-mix model.
public struct FunnelMeasure: Codable, Sendable {
    public let key: String
    /// Courses in the denominator, and the events among them.
    public let n: Int
    public let events: Int
    /// θ₀: events over courses, the same for the clinician and the branch plots.
    public let target: Double?
    /// Courses with every baseline characteristic known, which the model is fitted on.
    public let completeCases: Int
    public let constant: [String]
    public let model: LogisticModel
    public let clinicians: FunnelPlot
    public let sites: FunnelPlot
}

public struct FunnelPlot: Codable, Sendable {
    public let providers: [FunnelProvider]
    /// Over-dispersion of the unadjusted proportions; nil without providers.
    public let phi: Double?
    /// The exact limits as curves over n (unadjusted proportions) and over E (ratios O/E).
    public let limits: [FunnelLimits]
    public let ratioLimits: [FunnelLimits]
    /// The normal limits widened by φ, when φ > 1.
    public let widenedLimits: [FunnelLimits]?
}

public struct FunnelProvider: Codable, Sendable {
    public let id: UUID
    public let n: Int
    public let observed: Int
    public let proportion: Double
    public let limits: FunnelLimits
    public let widened: FunnelLimits?
    public let verdict: FunnelVerdict
    public let adjusted: Adjusted?

    /// The provider's complete cases against the model: O, E, O/E and θ₀·O/E.
    public struct Adjusted: Codable, Sendable {
        public let n: Int
        public let observed: Int
        public let expected: Double
        public let ratio: Double?
        public let proportion: Double?
        public let limits: FunnelLimits?
        public let verdict: FunnelVerdict
    }

    /// Below this many courses in the denominator a provider is shown and not judged.
    public static let minimumCourses = 5
}

/// The funnel plots over the evaluable courses the report collected (the models need them all at once).
struct FunnelsBuilder: Sendable {
    let courses: [EvaluableCourse]

    func report() -> Funnels {
        Funnels(
            response: measure("response", courses, event: \.responder),
            firstCohortImprovement: measure("first_cohort_improvement", courses.filter(\.responder), event: \.firstCohort),
            interpretation: Funnels.interpretationText)
    }

    private func measure(_ key: String, _ rows: [EvaluableCourse], event: KeyPath<EvaluableCourse, Bool>) -> FunnelMeasure {
        let events = rows.filter { $0[keyPath: event] }.count
        let target = rows.isEmpty ? nil : Double(events) / Double(rows.count)
        let complete = rows.filter(\.characteristics.complete)
        let design = BaselineDesign(complete.map(\.characteristics))
        let model = LogisticModel(outcomes: complete.map { $0[keyPath: event] }, covariates: design.rows, names: design.names)
        let expected = zip(complete, design.rows).map { course, row in (course, model.probability(row)) }
        func plot(_ provider: KeyPath<EvaluableCourse, UUID>) -> FunnelPlot {
            FunnelPlot.make(rows: rows, expected: expected, provider: provider, event: event, target: target)
        }
        return FunnelMeasure(
            key: key, n: rows.count, events: events, target: target, completeCases: complete.count, constant: design.constant,
            model: model, clinicians: plot(\.clinician), sites: plot(\.site))
    }
}

extension FunnelPlot {
    /// Points on a limit curve at most: enough for a smooth line, and a bounded cost.
    static let curvePoints = 120

    static func make(
        rows: [EvaluableCourse], expected: [(EvaluableCourse, Double?)], provider: KeyPath<EvaluableCourse, UUID>,
        event: KeyPath<EvaluableCourse, Bool>, target: Double?
    ) -> FunnelPlot {
        guard let target else { return FunnelPlot(providers: [], phi: nil, limits: [], ratioLimits: [], widenedLimits: nil) }
        let byProvider = Dictionary(grouping: rows) { $0[keyPath: provider] }
        let modelled = Dictionary(grouping: expected.filter { $0.1 != nil }) { $0.0[keyPath: provider] }
        let counts = byProvider.mapValues { (n: $0.count, r: $0.filter { $0[keyPath: event] }.count) }
        let variance = target * (1 - target)
        // Summed in a fixed order (a dictionary's order changes from run to run), so the same data always gives the same φ to the last bit.
        let ordered = counts.sorted { $0.key.uuidString < $1.key.uuidString }.map(\.value)
        var phi: Double?
        if variance > 0 {
            let squares = ordered.map { (c: (n: Int, r: Int)) -> Double in
                let z = (Double(c.r) / Double(c.n) - target) / (variance / Double(c.n)).squareRoot()
                return z * z
            }
            phi = squares.reduce(0, +) / Double(ordered.count)
        }
        let widen = phi.map { $0 > 1 } ?? false
        let providers = counts.map { id, c -> FunnelProvider in
            let limits = FunnelLimits.binomial(target: target, n: c.n)
            let proportion = Double(c.r) / Double(c.n)
            var adjusted: FunnelProvider.Adjusted?
            if let cases = modelled[id] {
                let observed = cases.filter { $0.0[keyPath: event] }.count, e = cases.reduce(0) { $0 + $1.1! }
                let ratio = e > 0 ? Double(observed) / e : nil
                let ratioLimits = e > 0 ? FunnelLimits.poisson(expected: e) : nil
                adjusted = FunnelProvider.Adjusted(
                    n: cases.count, observed: observed, expected: e, ratio: ratio, proportion: ratio.map { min(1, target * $0) },
                    limits: ratioLimits,
                    verdict: cases.count < FunnelProvider.minimumCourses ? .tooFew : ratio.flatMap { r in ratioLimits?.verdict(r) } ?? .tooFew)
            }
            return FunnelProvider(
                id: id, n: c.n, observed: c.r, proportion: proportion, limits: limits,
                widened: widen ? FunnelLimits.widened(target: target, n: c.n, phi: phi!) : nil,
                verdict: c.n < FunnelProvider.minimumCourses ? .tooFew : limits.verdict(proportion), adjusted: adjusted)
        }.sorted { ($0.n, $1.id.uuidString) > ($1.n, $0.id.uuidString) }
        let largest = counts.values.map(\.n).max() ?? 1
        let largestE = providers.compactMap { $0.adjusted?.expected }.max() ?? 0
        return FunnelPlot(
            providers: providers, phi: phi, limits: precisions(upTo: largest).map { FunnelLimits.binomial(target: target, n: $0) },
            ratioLimits: largestE > 0 ? expectations(upTo: largestE).map { FunnelLimits.poisson(expected: $0) } : [],
            widenedLimits: widen ? precisions(upTo: largest).map { FunnelLimits.widened(target: target, n: $0, phi: phi!) } : nil)
    }

    /// n from 1 to `largest`: every one when few, else spread evenly on a square-root scale (where the funnel bends most).
    static func precisions(upTo largest: Int) -> [Int] {
        guard largest > curvePoints else { return Array(1...max(1, largest)) }
        let root = Double(largest).squareRoot()
        let spread = (0..<curvePoints).map { i in Int(pow(1 + (root - 1) * Double(i) / Double(curvePoints - 1), 2).rounded()) }
        return Array(Set(spread + [1, largest])).sorted()
    }

    /// E from 1 (or the largest, when smaller) to `largest`, on a square-root scale.
    static func expectations(upTo largest: Double) -> [Double] {
        let start = min(1, largest), root = largest.squareRoot(), first = start.squareRoot()
        return (0..<curvePoints).map { i in pow(first + (root - first) * Double(i) / Double(curvePoints - 1), 2) }
    }
}
