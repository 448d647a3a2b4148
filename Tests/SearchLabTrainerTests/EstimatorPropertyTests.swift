// Properties of the estimators that hold for any input: verl's masked-skip invariance, group
// edge cases, the registry's lookups.
import SearchLabCore
import Testing
@testable import SearchLabTrainer

@Suite struct EstimatorPropertyTests {
    /// verl's multi-turn property: whatever the rewards and values at mask-0 (information)
    /// positions, the advantages and returns at mask-1 positions do not change.
    @Test func gaeIgnoresMaskedPositions() throws {
        let shape = TokenShape(rows: 3, length: 9)
        var tokens = RandomTokens("gae-mask")
        var mask = [Double](repeating: 1, count: shape.count)
        for k in [2, 3, 4, 10, 11, 22, 23, 24, 25, 26] { mask[k] = 0 }
        let rewards = tokens.uniform(shape.count, -1, 1), values = tokens.uniform(shape.count, -1, 1)
        let gae = GAE(gamma: 0.95, lambda: 0.9)
        let a = try gae.estimate(AdvantageBatch(shape: shape, tokenRewards: rewards, values: values,
                                                responseMask: mask, groupIDs: ["0", "1", "2"]))
        let noise = tokens.uniform(shape.count, -5, 5)
        let perturbed = { (x: [Double]) in x.indices.map { mask[$0] == 0 ? x[$0] + noise[$0] : x[$0] } }
        let b = try gae.estimate(AdvantageBatch(shape: shape, tokenRewards: perturbed(rewards), values: perturbed(values),
                                                responseMask: mask, groupIDs: ["0", "1", "2"]))
        for k in mask.indices where mask[k] == 1 {
            #expect(Swift.abs(a.advantages[k] - b.advantages[k]) < 1e-12, "advantage at \(k)")
            #expect(Swift.abs(a.returns[k] - b.returns[k]) < 1e-12, "return at \(k)")
        }
    }

    /// On right-padded rows (zero rewards and values on padding, as the critic writes them),
    /// the masked skip equals the plain recursion of the GAE paper.
    @Test func gaeOnRightPaddingEqualsPlainRecursion() throws {
        let shape = TokenShape(rows: 4, length: 6)
        var tokens = RandomTokens("gae-plain")
        let mask = (0..<shape.count).map { k in Double(k % 6 < 6 - k / 6 ? 1 : 0) }
        let rewards = zip(tokens.uniform(shape.count, -1, 1), mask).map { $0 * $1 }
        let values = zip(tokens.uniform(shape.count, -1, 1), mask).map { $0 * $1 }
        let (gamma, lambda) = (0.97, 0.9)
        var plain = [Double](repeating: 0, count: shape.count)
        for i in 0..<shape.rows {
            var next = 0.0
            for t in (0..<shape.length).reversed() {
                let k = i * shape.length + t
                let nextValue = t + 1 < shape.length ? values[k + 1] : 0
                next = rewards[k] + gamma * nextValue - values[k] + gamma * lambda * next
                plain[k] = next
            }
        }
        let out = try GAE(gamma: gamma, lambda: lambda).estimate(
            AdvantageBatch(shape: shape, tokenRewards: rewards, values: values, responseMask: mask, groupIDs: ["a", "b", "c", "d"]))
        #expect(maxScaledDifference(out.returns, zip(plain, values).map { $0 + $1 }) < 1e-12)
        #expect(maxScaledDifference(out.advantages, Masked.whiten(plain, mask)) < 1e-12)
    }

    @Test func grpoGroupEdgeCases() throws {
        let shape = TokenShape(rows: 4, length: 2)
        // Scores: group x = (0.5, 0.5) all equal; y = (1) singleton; z = (0) singleton.
        let rewards: [Double] = [0, 0.5, 0.5, 0, 0, 1, 0, 0]
        let mask: [Double] = [1, 1, 1, 1, 1, 1, 1, 0]
        let out = try GRPO().estimate(AdvantageBatch(shape: shape, tokenRewards: rewards, responseMask: mask,
                                                     groupIDs: ["x", "x", "y", "z"]))
        #expect(out.advantages[0...3].allSatisfy { $0 == 0 }, "an all-equal group has zero advantage")
        #expect(Swift.abs(out.advantages[4] - 1 / (1 + 1e-6)) < 1e-15, "a singleton keeps its score (mean 0, std 1)")
        #expect(out.advantages[6] == 0 && out.advantages[7] == 0)
        #expect(out.returns == out.advantages)
    }

    /// The worked example of search-r1-notes.md §4.2: n = 5, scores (1, 0, 0, 0, 0).
    @Test func grpoNotesExample() throws {
        let shape = TokenShape(rows: 5, length: 1)
        let out = try GRPO().estimate(AdvantageBatch(shape: shape, tokenRewards: [1, 0, 0, 0, 0], responseMask: [1, 1, 1, 1, 1],
                                                     groupIDs: Array(repeating: "q", count: 5)))
        #expect(Swift.abs(out.advantages[0] - 1.789) < 5e-4)
        #expect(out.advantages[1...].allSatisfy { Swift.abs($0 + 0.447) < 5e-4 })
    }

    @Test func gaeWithoutValuesIsAnError() {
        let batch = AdvantageBatch(shape: TokenShape(rows: 1, length: 2), tokenRewards: [0, 1], responseMask: [1, 1],
                                   groupIDs: ["q"])
        #expect(throws: SearchLabError("the gae estimator needs critic values for every token")) {
            try GAE(gamma: 1, lambda: 1).estimate(batch)
        }
    }

    @Test func unknownNamesListTheValidOnes() {
        #expect(throws: SearchLabError("unknown advantage estimator \"ppo\"; valid: gae, grpo, rloo, reinforce_plus_plus, reinforce_plus_plus_baseline")) {
            try AdvantageEstimatorKind.named("ppo")
        }
        #expect(throws: SearchLabError("unknown loss aggregation mode \"mean\"; valid: token-mean, seq-mean-token-sum, seq-mean-token-mean, seq-mean-token-sum-norm")) {
            try LossAggregationMode.named("mean")
        }
        #expect(throws: SearchLabError.self) { try KLEstimator.named("k3") }
    }

    @Test func onlyGAENeedsACritic() {
        #expect(AdvantageEstimatorKind.allCases.filter(\.needsCritic) == [.gae])
    }

    @Test func fixedControllerNeverMoves() {
        var c = KLController(kind: .fixed, coefficient: 0.001)
        c.update(currentKL: 5, steps: 512)
        #expect(c.coefficient == 0.001)
    }
}

@Suite struct SummaryMetricTests {
    @Test func lengthsWithAndWithoutInformationTokens() {
        let shape = TokenShape(rows: 2, length: 4)
        let response: [Double] = [1, 1, 1, 1, 1, 1, 0, 0]
        let loss: [Double] = [1, 0, 0, 1, 1, 1, 0, 0]
        #expect(StepMetrics.lengths(mask: response, shape: shape) == Summary(mean: 3, max: 4, min: 2))
        #expect(StepMetrics.lengths(mask: loss, shape: shape) == Summary(mean: 2, max: 2, min: 2))
    }

    @Test func maskedSummaryIgnoresMaskedValues() {
        #expect(StepMetrics.summary([5, -1, 3, 100], mask: [1, 1, 1, 0]) == Summary(mean: 7.0 / 3, max: 5, min: -1))
        #expect(StepMetrics.summary([5], mask: [0]) == Summary(mean: 0, max: 0, min: 0))
    }
}
