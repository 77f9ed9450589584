import Foundation
import RegistryCore
import Testing

@testable import RegistryAnalytics

/// CLINICAL.md, "Comparing clinicians and branches fairly (funnel plots)": its reference values,
/// the logistic model against statsmodels, over-dispersion and the verdicts at their edges.
@Suite struct FunnelTests {
    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 0.00005) -> Bool { a.map { abs($0 - b) <= tolerance } ?? false }

    func expect(_ limits: FunnelLimits, _ expected: [Double]) {
        let got = [limits.lower998, limits.lower95, limits.upper95, limits.upper998]
        for (g, e) in zip(got, expected) { #expect(close(g, e), "\(got) against \(expected)") }
    }

    @Test func exactBinomialLimitsAreTheSpecificationsReferenceValues() {
        expect(.binomial(target: 0.5, n: 100), [0.3412, 0.3968, 0.5932, 0.6488])
        expect(.binomial(target: 0.6, n: 20), [0.2264, 0.3556, 0.7871, 0.8923])
        expect(.binomial(target: 0.7, n: 45), [0.4680, 0.5505, 0.8187, 0.8851])
        expect(.binomial(target: 0.7, n: 5), [0, 0.1592, 0.9703, 0.9988])
    }

    @Test func exactPoissonLimitsForORatiosAreTheSpecificationsReferenceValues() {
        expect(.poisson(expected: 10), [0.1221, 0.3775, 1.6160, 2.0662])
        expect(.poisson(expected: 25.5), [0.4280, 0.6101, 1.3876, 1.6454])
        expect(.poisson(expected: 3), [0, 0, 2.1313, 3.0422])
    }

    @Test func limitsHoldAtTheSizeOfAClinicNetworkWithoutUnderflow() {
        let binomial = FunnelLimits.binomial(target: 0.7, n: 100_000), poisson = FunnelLimits.poisson(expected: 50_000)
        #expect(binomial.lower998 > 0.69 && binomial.upper998 < 0.71 && binomial.lower95 < 0.7 && binomial.upper95 > 0.7)
        #expect(poisson.lower998 > 0.98 && poisson.upper998 < 1.02)
    }

    /// statsmodels 0.14, `GLM(y, add_constant(X), family=Binomial()).fit()` on this data set.
    @Test func theLogisticFitIsStatsmodelsGLMBinomial() throws {
        let x1 = [
            2.1, 3.4, 1.2, 5.6, 4.4, 3.3, 2.8, 6.1, 1.9, 4.0, 5.2, 3.7, 2.2, 4.8, 3.1, 5.9, 1.5, 2.6, 4.1, 3.9, 6.3, 2.4, 3.0, 4.6, 1.7, 5.1, 3.6,
            2.9, 4.3, 5.4,
        ]
        let x2: [Double] = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0]
        let y = [0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1].map { $0 == 1 }
        let model = LogisticModel(outcomes: y, covariates: zip(x1, x2).map { [$0, $1] }, names: ["x1", "x2"])
        let terms = try #require(model.terms)
        #expect(model.n == 30 && model.events == 16)
        for (term, (coefficient, se)) in zip(terms, [(-4.366196, 1.711433), (1.225051, 0.527211), (0.139697, 1.094563)]) {
            #expect(close(term.coefficient, coefficient, 1e-5) && close(term.standardError, se, 1e-5), "\(term)")
        }
        #expect(terms.map(\.name) == ["(intercept)", "x1", "x2"])
    }

    @Test func aSeparatedOrOneSidedOutcomeIsNotEstimable() {
        let separated = LogisticModel(outcomes: [false, false, false, true, true, true], covariates: [[1], [2], [3], [4], [5], [6]], names: ["x"])
        #expect(separated.terms == nil && separated.notEstimable?.contains("separated") == true)
        let oneSided = LogisticModel(outcomes: [true, true, true], covariates: [[1], [2], [3]], names: ["x"])
        #expect(oneSided.terms == nil && oneSided.notEstimable != nil)
    }

    func course(site: UUID, clinician: UUID, responder: Bool) -> EvaluableCourse {
        EvaluableCourse(
            site: site, clinician: clinician, sessions: 2, responder: responder, firstCohort: false, characteristics: BaselineCharacteristics())
    }

    /// φ = (1/I) Σ zᵢ², zᵢ = (yᵢ − θ₀)/√(θ₀(1−θ₀)/nᵢ), worked by hand: providers 8/10, 2/10, 5/10 around θ₀ = 0.5
    /// give z = 1.8974, −1.8974, 0 and φ = 2.4; the widened limits follow.
    @Test func overDispersionAndTheWidenedLimitsOnHandMadeProviders() throws {
        let site = UUID()
        let (a, b, c) = (UUID(), UUID(), UUID())
        var rows: [EvaluableCourse] = []
        for (clinician, r) in [(a, 8), (b, 2), (c, 5)] {
            rows += (0..<10).map { course(site: site, clinician: clinician, responder: $0 < r) }
        }
        let plot = FunnelPlot.make(rows: rows, expected: [], provider: \.clinician, event: \.responder, target: 0.5)
        #expect(close(plot.phi, 2.4, 1e-9))
        let widened = try #require(plot.providers.first { $0.id == a }?.widened)
        #expect(close(widened.upper95, 0.5 + 1.959964 * (2.4 * 0.25 / 10).squareRoot(), 1e-9))
        #expect(plot.widenedLimits?.count == 10)
        let exact = FunnelLimits.binomial(target: 0.5, n: 10)
        #expect(plot.providers.first { $0.id == a }?.verdict == exact.verdict(0.8))
    }

    @Test func verdictsAtTheEdgesAndTooFewToJudge() {
        let limits = FunnelLimits.binomial(target: 0.5, n: 100)
        #expect(limits.verdict(limits.upper998 + 1e-9) == .above998)
        #expect(limits.verdict(limits.upper998) == .above95)
        #expect(limits.verdict(limits.upper95) == .within)
        #expect(limits.verdict(limits.lower95) == .within)
        #expect(limits.verdict(limits.lower95 - 1e-9) == .below95)
        #expect(limits.verdict(limits.lower998 - 1e-9) == .below998)
        let site = UUID(), few = UUID(), many = UUID()
        let rows =
            (0..<4).map { _ in course(site: site, clinician: few, responder: true) }
            + (0..<40).map { course(site: site, clinician: many, responder: $0 % 2 == 0) }
        let plot = FunnelPlot.make(rows: rows, expected: [], provider: \.clinician, event: \.responder, target: 0.5)
        #expect(plot.providers.first { $0.id == few }?.verdict == .tooFew)
        #expect(plot.providers.first { $0.id == many }?.verdict == .within)
    }

    @Test func curvesRunFromOneToTheLargestProviderWithABoundedNumberOfPoints() {
        #expect(FunnelPlot.precisions(upTo: 40) == Array(1...40))
        let spread = FunnelPlot.precisions(upTo: 100_000)
        #expect(spread.first == 1 && spread.last == 100_000 && spread.count <= FunnelPlot.curvePoints + 2)
    }
}
