import Foundation

/// Logistic regression of a yes/no outcome on covariates with an intercept, fitted by
/// iteratively reweighted least squares from β = 0 until no coefficient changes by 1e-9 or more
/// (CLINICAL.md). Not estimable when it does not converge, when the information matrix is
/// singular, or when the outcome is separated (fitted probabilities reach 0 or 1).
public struct LogisticModel: Codable, Sendable, Equatable {
    public struct Term: Codable, Sendable, Equatable {
        public let name: String
        public let coefficient: Double
        public let standardError: Double
        public let oddsRatio: Double
        public let z: Double
        public let pValue: Double
    }

    public let n: Int
    public let events: Int
    /// The intercept first, then one term per covariate; nil when not estimable.
    public let terms: [Term]?
    public let notEstimable: String?
    public let iterations: Int

    static let maximumIterations = 50

    /// `covariates[i]` is subject i's row, in the order of `names`.
    public init(outcomes: [Bool], covariates: [[Double]], names: [String]) {
        n = outcomes.count
        events = outcomes.filter { $0 }.count
        let fit = Self.fit(outcomes, covariates.map { [1] + $0 })
        iterations = fit.iterations
        guard let beta = fit.beta, let covariance = fit.covariance else {
            terms = nil
            notEstimable = fit.problem
            return
        }
        terms = (["(intercept)"] + names).indices.map { i in
            let se = covariance[i][i].squareRoot()
            return Term(
                name: i == 0 ? "(intercept)" : names[i - 1], coefficient: beta[i], standardError: se, oddsRatio: exp(beta[i]),
                z: beta[i] / se, pValue: normalTwoSidedPValue(beta[i] / se))
        }
        notEstimable = nil
    }

    /// The fitted probability for one subject's covariates (without the intercept's 1).
    public func probability(_ covariates: [Double]) -> Double? {
        guard let terms else { return nil }
        return Self.logistic(zip([1] + covariates, terms).reduce(0) { $0 + $1.0 * $1.1.coefficient })
    }

    static func logistic(_ eta: Double) -> Double { 1 / (1 + exp(-eta)) }

    static let separated = "the outcome is separated by the covariates (some fitted probabilities reach 0 or 1)"

    private static func fit(_ y: [Bool], _ x: [[Double]]) -> (beta: [Double]?, covariance: [[Double]]?, iterations: Int, problem: String?) {
        guard let width = x.first?.count, !y.isEmpty else { return (nil, nil, 0, "no courses") }
        guard y.contains(true), y.contains(false) else { return (nil, nil, 0, "every course has the same outcome") }
        var beta = [Double](repeating: 0, count: width)
        for iteration in 1...maximumIterations {
            var information = [[Double]](repeating: [Double](repeating: 0, count: width), count: width)
            var score = [Double](repeating: 0, count: width)
            for (row, event) in zip(x, y) {
                let mu = logistic(zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 })
                let weight = mu * (1 - mu)
                for a in 0..<width {
                    score[a] += row[a] * ((event ? 1 : 0) - mu)
                    for b in 0..<width { information[a][b] += weight * row[a] * row[b] }
                }
            }
            // Singular at β = 0: the columns are collinear; later, the fit ran off towards a separation.
            guard let step = Matrix.solve(information, score) else {
                return (nil, nil, iteration, iteration == 1 ? "the covariates are collinear" : separated)
            }
            beta = zip(beta, step).map { $0 + $1 }
            if beta.contains(where: { !$0.isFinite || abs($0) > 30 }) {
                return (nil, nil, iteration, separated)
            }
            if step.allSatisfy({ abs($0) < 1e-9 }) {
                // The covariance at the converged β.
                var final = [[Double]](repeating: [Double](repeating: 0, count: width), count: width)
                for row in x {
                    let mu = logistic(zip(row, beta).reduce(0) { $0 + $1.0 * $1.1 })
                    for a in 0..<width { for b in 0..<width { final[a][b] += mu * (1 - mu) * row[a] * row[b] } }
                }
                guard let covariance = Matrix.inverse(final) else { return (nil, nil, iteration, "the covariates are collinear") }
                return (beta, covariance, iteration, nil)
            }
        }
        return (nil, nil, maximumIterations, "did not converge in \(maximumIterations) iterations")
    }
}
