// Every loss's analytic gradient against central finite differences, over every aggregation
// mode, with and without the dual clip, entropy bonus and each KL-loss estimator.
import SearchLabCore
import Testing
@testable import SearchLabTrainer

/// Seeded random token batches for gradient checks.
struct RandomTokens {
    var rng: RandomStream

    init(_ purpose: String) { rng = RandomStream(seed: 7, purpose: purpose) }

    mutating func uniform(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] {
        (0..<n).map { _ in Double.random(in: lo..<hi, using: &rng) }
    }

    /// Right-padded rows with one masked-out token inside row 0 and an empty last row.
    func mask(_ shape: TokenShape) -> [Double] {
        var m = [Double](repeating: 0, count: shape.count)
        for i in 0..<(shape.rows - 1) {
            let n = shape.length - i % 3
            for t in 0..<n { m[i * shape.length + t] = 1 }
        }
        m[1] = 0
        return m
    }
}

/// (f(x + h) − f(x − h)) / 2h at each index.
func finiteDifferences(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    x.indices.map { k in
        var up = x, down = x
        up[k] += h
        down[k] -= h
        return (f(up) - f(down)) / (2 * h)
    }
}

func expectGradient(_ analytic: [Double], _ numeric: [Double], _ label: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let diff = maxScaledDifference(analytic, numeric)
    #expect(diff < 1e-6, "\(label): analytic vs finite-difference max diff \(diff)", sourceLocation: sourceLocation)
}

@Suite struct GradientTests {
    let shape = TokenShape(rows: 5, length: 7)

    func batch(_ tokens: inout RandomTokens) -> PolicyLossBatch {
        let n = shape.count
        let logp = tokens.uniform(n, -3, -0.1)
        var shift = tokens.uniform(n, -0.5, 0.5)
        shift[3] = 21      // beyond the ±20 log-ratio clamp: no gradient through the ratio
        shift[9] = 1.4     // ratio ≈ 4 > c: the dual clip binds where A < 0
        var advantages = tokens.uniform(n, -2, 2)
        advantages[9] = -1.5
        // A > 0 at the clamped token keeps its loss clipped at −1.2·A; with A < 0 and no dual
        // clip the loss would be ~1e8 and drown the finite differences in rounding.
        advantages[3] = Swift.abs(advantages[3])
        return PolicyLossBatch(shape: shape, logProbs: logp, oldLogProbs: zip(logp, shift).map { $0 - $1 },
                               advantages: advantages, lossMask: tokens.mask(shape),
                               entropy: tokens.uniform(n, 0, 3), referenceLogProbs: zip(logp, tokens.uniform(n, -0.7, 0.7)).map { $0 + $1 })
    }

    @Test(arguments: LossAggregationMode.allCases)
    func policyLossGradientMatchesFiniteDifferences(mode: LossAggregationMode) {
        var tokens = RandomTokens("policy-gradient-\(mode.rawValue)")
        let base = batch(&tokens)
        for dualClip in [nil, 3.0] as [Double?] {
            for klType in KLEstimator.allCases {
                var p = PolicyLossParameters()
                p.clipRatioHigh = 0.28
                p.clipRatioC = dualClip
                p.entropyCoefficient = 0.01
                p.klLossCoefficient = 0.1
                p.klLossType = klType
                p.aggregation = LossAggregation(mode, scaleFactor: mode == .seqMeanTokenSumNorm ? 50 : nil)
                let result = PolicyLoss.compute(base, p)
                let label = "\(mode.rawValue) dual=\(dualClip.map { "\($0)" } ?? "off") kl=\(klType.rawValue)"
                expectGradient(result.logProbGradient, finiteDifferences(base.logProbs) { x in
                    var b = base
                    b.logProbs = x
                    return PolicyLoss.compute(b, p).loss
                }, "\(label) ∂/∂logp")
                expectGradient(result.entropyGradient, finiteDifferences(base.entropy) { x in
                    var b = base
                    b.entropy = x
                    return PolicyLoss.compute(b, p).loss
                }, "\(label) ∂/∂entropy")
            }
        }
    }

    @Test(arguments: LossAggregationMode.allCases)
    func valueLossGradientMatchesFiniteDifferences(mode: LossAggregationMode) {
        var tokens = RandomTokens("value-gradient-\(mode.rawValue)")
        let n = shape.count
        let old = tokens.uniform(n, -1, 1)
        let predicted = zip(old, tokens.uniform(n, -1, 1)).map { $0 + $1 }
        let returns = tokens.uniform(n, -1.5, 1.5), mask = tokens.mask(shape)
        let aggregation = LossAggregation(mode)
        func loss(_ v: [Double]) -> ValueLossResult {
            ValueLoss.compute(predicted: v, old: old, returns: returns, mask: mask, shape: shape, clipRange: 0.5,
                              aggregation: aggregation)
        }
        let result = loss(predicted)
        #expect(result.clipFraction > 0, "the case exercises the clipped branch")
        expectGradient(result.valueGradient, finiteDifferences(predicted) { loss($0).loss }, "\(mode.rawValue) ∂/∂v")
    }

    @Test(arguments: KLEstimator.allCases)
    func klDerivativeMatchesFiniteDifferences(estimator: KLEstimator) {
        var tokens = RandomTokens("kl-derivative-\(estimator.rawValue)")
        let reference = tokens.uniform(40, -3, 0)
        var logp = zip(reference, tokens.uniform(40, -2, 2)).map { $0 + $1 }
        logp[0] = reference[0] - 25   // k3: beyond the ±20 clamp
        logp[1] = reference[1] - 4    // k3 = e^4 − 5 > 10: the output clamp binds
        let analytic = logp.indices.map { estimator.derivative(logProb: logp[$0], reference: reference[$0]) }
        let numeric = logp.indices.map { k in
            (estimator.value(logProb: logp[k] + 1e-6, reference: reference[k])
                - estimator.value(logProb: logp[k] - 1e-6, reference: reference[k])) / 2e-6
        }
        expectGradient(analytic, numeric, estimator.rawValue)
    }

    @Test func aggregationWeightsAreTheLossGradient() {
        for mode in LossAggregationMode.allCases {
            var tokens = RandomTokens("aggregation-\(mode.rawValue)")
            let losses = tokens.uniform(shape.count, -1, 1), mask = tokens.mask(shape)
            let aggregation = LossAggregation(mode)
            expectGradient(aggregation.weights(mask: mask, shape: shape),
                           finiteDifferences(losses) { aggregation.aggregate($0, mask: mask, shape: shape) }, mode.rawValue)
        }
    }
}
