import Foundation

/// A Cox proportional-hazards model fitted by Newton–Raphson on the partial likelihood, with
/// Efron's method for tied times (the default of R's `coxph`), Wald intervals and tests per term,
/// and the likelihood-ratio test of the whole model.
public struct CoxModel: Codable, Sendable, Equatable {
    public struct Subject: Sendable, Equatable {
        public let time: Double
        public let event: Bool
        public let covariates: [Double]

        public init(time: Double, event: Bool, covariates: [Double]) {
            self.time = time
            self.event = event
            self.covariates = covariates
        }
    }

    public struct Term: Codable, Sendable, Equatable {
        public let name: String
        public let coefficient: Double
        public let hazardRatio: Double
        public let lower: Double
        public let upper: Double
        public let standardError: Double
        public let z: Double
        public let pValue: Double
    }

    /// Subjects and events used.
    public let n: Int
    public let events: Int
    /// nil when the model is not estimable; `notEstimable` then says why.
    public let terms: [Term]?
    public let notEstimable: String?
    public let logLikelihood: Double?
    public let nullLogLikelihood: Double?
    public let likelihoodRatio: Double?
    public let degreesOfFreedom: Int
    public let likelihoodRatioPValue: Double?
    public let iterations: Int

    static let maximumIterations = 30

    public init(_ subjects: [Subject], names: [String], z: Double = z95) {
        n = subjects.count
        events = subjects.filter(\.event).count
        degreesOfFreedom = names.count
        let fit = Self.fit(subjects, width: names.count)
        iterations = fit.iterations
        nullLogLikelihood = fit.nullLogLikelihood
        guard let beta = fit.beta, let covariance = fit.covariance, let logLikelihood = fit.logLikelihood else {
            terms = nil
            notEstimable = fit.problem
            self.logLikelihood = nil
            likelihoodRatio = nil
            likelihoodRatioPValue = nil
            return
        }
        terms = names.indices.map { i in
            let se = covariance[i][i].squareRoot()
            return Term(
                name: names[i], coefficient: beta[i], hazardRatio: exp(beta[i]), lower: exp(beta[i] - z * se),
                upper: exp(beta[i] + z * se), standardError: se, z: beta[i] / se, pValue: normalTwoSidedPValue(beta[i] / se))
        }
        notEstimable = nil
        self.logLikelihood = logLikelihood
        let ratio = 2 * (logLikelihood - (fit.nullLogLikelihood ?? logLikelihood))
        likelihoodRatio = ratio
        likelihoodRatioPValue = chiSquarePValue(ratio, degrees: names.count)
    }

    /// A model reported as not estimable for `reason` found before fitting, with its n and events.
    public init(notEstimable reason: String, _ subjects: [Subject], names: [String]) {
        n = subjects.count
        events = subjects.filter(\.event).count
        degreesOfFreedom = names.count
        terms = nil
        notEstimable = reason
        logLikelihood = nil
        nullLogLikelihood = nil
        likelihoodRatio = nil
        likelihoodRatioPValue = nil
        iterations = 0
    }

    private struct Fit {
        var beta: [Double]?
        var covariance: [[Double]]?
        var logLikelihood: Double?
        var nullLogLikelihood: Double?
        var iterations = 0
        var problem: String?
    }

    /// Newton–Raphson with step halving, from β = 0, until the log-likelihood changes by less than
    /// 1e-9 of itself (R's `coxph` criterion). Covariates are centred first: the partial
    /// likelihood does not change, and exp() stays in range.
    private static func fit(_ subjects: [Subject], width p: Int) -> Fit {
        var result = Fit()
        guard p > 0, !subjects.isEmpty else {
            result.problem = "no covariates or no subjects"
            return result
        }
        guard subjects.contains(where: \.event) else {
            result.problem = "no events"
            return result
        }
        let means = (0..<p).map { j in subjects.reduce(0) { $0 + $1.covariates[j] } / Double(subjects.count) }
        let sorted = subjects.sorted { $0.time > $1.time }.map { s in
            Subject(time: s.time, event: s.event, covariates: zip(s.covariates, means).map { $0 - $1 })
        }
        var beta = Array(repeating: 0.0, count: p)
        var current = partialLikelihood(sorted, beta: beta)
        result.nullLogLikelihood = current.logLikelihood
        for iteration in 1...maximumIterations {
            result.iterations = iteration
            guard let step = Matrix.solve(current.information, current.gradient) else {
                result.problem = "the information matrix is singular (a covariate is constant or collinear)"
                return result
            }
            var candidate = zip(beta, step).map { $0 + $1 }
            var next = partialLikelihood(sorted, beta: candidate)
            var halvings = 0
            while !(next.logLikelihood >= current.logLikelihood) && halvings < 30 {
                halvings += 1
                candidate = zip(beta, candidate).map { ($0 + $1) / 2 }
                next = partialLikelihood(sorted, beta: candidate)
            }
            let change = abs(next.logLikelihood - current.logLikelihood)
            beta = candidate
            current = next
            if change <= 1e-9 * abs(current.logLikelihood) {
                guard let covariance = Matrix.inverse(current.information),
                    beta.allSatisfy(\.isFinite), (0..<p).allSatisfy({ covariance[$0][$0] > 0 && covariance[$0][$0].isFinite })
                else {
                    result.problem = "the fit did not give finite coefficients and standard errors"
                    return result
                }
                // A coefficient heading to infinity (a group without events, separation) stops the
                // log-likelihood changing while Newton would still move it: R's `coxph` test.
                let nextStep = (0..<p).map { a in (0..<p).reduce(0) { $0 + covariance[a][$1] * current.gradient[$1] } }
                guard zip(nextStep, beta).allSatisfy({ abs($0) <= 1e-9 || abs($0) <= 1e-9.squareRoot() * abs($1) }) else {
                    result.problem = "a coefficient is infinite (a group without events, or separation)"
                    return result
                }
                result.beta = beta
                result.covariance = covariance
                result.logLikelihood = current.logLikelihood
                return result
            }
        }
        result.problem = "Newton–Raphson did not converge in \(maximumIterations) iterations (a coefficient may be infinite)"
        return result
    }

    /// Efron's log partial likelihood, its gradient and the observed information at `beta`, over
    /// subjects sorted by time, latest first (so each risk set is a running sum).
    static func partialLikelihood(_ sorted: [Subject], beta: [Double]) -> (logLikelihood: Double, gradient: [Double], information: [[Double]]) {
        let p = beta.count
        var logLikelihood = 0.0
        var gradient = Array(repeating: 0.0, count: p)
        var information = Array(repeating: Array(repeating: 0.0, count: p), count: p)
        // Sums over the risk set: of exp(η), x·exp(η) and x·xᵀ·exp(η).
        var s0 = 0.0
        var s1 = Array(repeating: 0.0, count: p)
        var s2 = Array(repeating: Array(repeating: 0.0, count: p), count: p)
        var index = 0
        while index < sorted.count {
            let time = sorted[index].time
            // The same sums over the events at this time.
            var d = 0, e0 = 0.0
            var e1 = Array(repeating: 0.0, count: p)
            var e2 = Array(repeating: Array(repeating: 0.0, count: p), count: p)
            while index < sorted.count && sorted[index].time == time {
                let x = sorted[index].covariates
                let eta = zip(x, beta).reduce(0) { $0 + $1.0 * $1.1 }
                let risk = exp(eta)
                s0 += risk
                for a in 0..<p {
                    s1[a] += x[a] * risk
                    for b in 0..<p { s2[a][b] += x[a] * x[b] * risk }
                }
                if sorted[index].event {
                    d += 1
                    logLikelihood += eta
                    e0 += risk
                    for a in 0..<p {
                        gradient[a] += x[a]
                        e1[a] += x[a] * risk
                        for b in 0..<p { e2[a][b] += x[a] * x[b] * risk }
                    }
                }
                index += 1
            }
            // Efron: the r-th of d tied events sees the risk set less r/d of the tied events' weight.
            for r in 0..<d {
                let f = Double(r) / Double(d)
                let w0 = s0 - f * e0
                logLikelihood -= log(w0)
                for a in 0..<p {
                    let mean = (s1[a] - f * e1[a]) / w0
                    gradient[a] -= mean
                    for b in 0..<p {
                        information[a][b] += (s2[a][b] - f * e2[a][b]) / w0 - mean * (s1[b] - f * e1[b]) / w0
                    }
                }
            }
        }
        return (logLikelihood, gradient, information)
    }
}
