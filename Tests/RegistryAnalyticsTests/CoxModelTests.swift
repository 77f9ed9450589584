import Foundation
import RegistryAnalytics
import Testing

/// CLINICAL.md, "Who needs more sessions?": the Cox model and the k-group log-rank test on the
/// reference data, and a two-covariate model checked against R's `survival`.
@Suite struct CoxModelTests {
    func close(_ value: Double?, _ expected: Double, _ tolerance: Double = 0.00005) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= tolerance
    }

    /// Freireich 6-MP (placebo = 0) and placebo (= 1).
    var freireich: [CoxModel.Subject] {
        StatisticsTests.sixMP.map { CoxModel.Subject(time: $0.time, event: $0.event, covariates: [0]) }
            + StatisticsTests.placebo.map { CoxModel.Subject(time: $0.time, event: $0.event, covariates: [1]) }
    }

    @Test func efronsCoxModelReproducesTheSixMPReference() throws {
        let model = CoxModel(freireich, names: ["placebo"])
        let term = try #require(model.terms?.first)
        #expect(close(term.coefficient, 1.5721), "\(term)")
        #expect(close(term.hazardRatio, 4.8169) && close(term.lower, 2.1465) && close(term.upper, 10.8093))
        #expect(close(term.standardError, 0.4124) && close(term.z, 3.8122))
        #expect(close(term.pValue, 0.000138, 0.0000005))
        #expect(close(model.logLikelihood, -85.0084))
        #expect(close(model.likelihoodRatio, 16.352, 0.0005) && model.degreesOfFreedom == 1)
        #expect(model.n == 42 && model.events == 30)
    }

    @Test func theThreeGroupLogRankTestReproducesTheReference() {
        let third: [SurvivalTime] = [
            (3, true), (5, true), (5, false), (9, true), (12, true), (12, true), (14, false), (18, true), (21, true),
            (24, false), (28, true), (30, false),
        ].map { SurvivalTime($0.0, event: $0.1) }
        let test = LogRankTest([StatisticsTests.sixMP, StatisticsTests.placebo, third])
        #expect(test.degreesOfFreedom == 2)
        #expect(close(test.chiSquare, 19.9004))
        #expect(close(test.pValue, 4.772e-05, 0.0005e-05))
        // Two groups give the one-degree test of the 1–2 vs 3–5 comparison.
        let two = LogRankTest([StatisticsTests.sixMP, StatisticsTests.placebo])
        #expect(close(two.chiSquare, 16.79, 0.005) && two.observed == [9, 21])
        // An empty group takes no part.
        #expect(LogRankTest([StatisticsTests.sixMP, [], StatisticsTests.placebo]).degreesOfFreedom == 1)
    }

    @Test func chiSquareTailsMatchKnownQuantiles() {
        #expect(close(chiSquarePValue(3.841459, degrees: 1), 0.05, 1e-7))
        #expect(close(chiSquarePValue(5.991465, degrees: 2), 0.05, 1e-7))
        #expect(close(chiSquarePValue(18.307038, degrees: 10), 0.05, 1e-7))
        #expect(close(chiSquarePValue(0.5, degrees: 4), 0.9735010, 1e-7))
    }

    /// Two covariates on a hand-built data set with ties, events and censoring. Reference from R
    /// 4.2.2 with survival 3.5.3 (Debian's r-base-core and r-cran-survival):
    ///
    ///     d <- data.frame(time = c(1,1,2,2,2,3,3,4,4,5,5,6,6,7,8,8,9,10,11,12),
    ///                     status = c(1,1,1,0,1,1,0,1,1,1,0,1,1,0,1,1,0,1,0,1),
    ///                     chronic = c(0,0,0,1,0,1,0,0,1,1,0,1,0,1,1,1,0,1,1,1),
    ///                     nrs = c(8,6,7,9,5,8,6,7,9,8,4,7,6,9,8,10,5,9,7,8))
    ///     coxph(Surv(time, status) ~ chronic + nrs, data = d, ties = "efron")
    @Test func aTwoCovariateModelMatchesRsSurvival() throws {
        let time: [Double] = [1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9, 10, 11, 12]
        let status = [1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1]
        let chronic: [Double] = [0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1]
        let nrs: [Double] = [8, 6, 7, 9, 5, 8, 6, 7, 9, 8, 4, 7, 6, 9, 8, 10, 5, 9, 7, 8]
        let subjects = time.indices.map { CoxModel.Subject(time: time[$0], event: status[$0] == 1, covariates: [chronic[$0], nrs[$0]]) }
        let model = CoxModel(subjects, names: ["chronic", "nrs"])
        let terms = try #require(model.terms)
        #expect(close(terms[0].coefficient, R.chronicCoefficient) && close(terms[0].standardError, R.chronicSE), "\(terms[0])")
        #expect(close(terms[1].coefficient, R.nrsCoefficient) && close(terms[1].standardError, R.nrsSE), "\(terms[1])")
        #expect(close(model.logLikelihood, R.logLikelihood) && close(model.likelihoodRatio, R.likelihoodRatio, 0.0005))
    }

    @Test func aCovariateWithoutVariationIsNotEstimable() {
        let constant = freireich.map { CoxModel.Subject(time: $0.time, event: $0.event, covariates: [$0.covariates[0], 1]) }
        let model = CoxModel(constant, names: ["placebo", "constant"])
        #expect(model.terms == nil && model.notEstimable != nil)
        // A group without events drives its coefficient to infinity: no number is reported.
        let separated = freireich.map { CoxModel.Subject(time: $0.time, event: $0.covariates[0] == 1 && $0.event, covariates: $0.covariates) }
        #expect(CoxModel(separated, names: ["placebo"]).terms == nil)
    }

    /// Values printed by R (see `aTwoCovariateModelMatchesRsSurvival`).
    enum R {
        static let chronicCoefficient = -2.641540
        static let chronicSE = 1.084355
        static let nrsCoefficient = 0.600897
        static let nrsSE = 0.301508
        static let logLikelihood = -27.431235
        static let likelihoodRatio = 6.329598
    }
}
