// Per-step diagnostics the trainer records: pure functions of the batch's arrays.

/// The metrics of a training step that are computed from token arrays rather than from the
/// model (the rest come from the losses and the optimizer).
public enum StepMetrics {
    /// `critic/vf_explained_var`: 1 − Var(R − V)/(Var(R) + 1e-5) over mask-1 tokens, with
    /// unbiased variances (as verl's `compute_data_metrics`). 1 is a perfect critic; ≤ 0 is
    /// no better than a constant.
    public static func explainedVariance(returns: [Double], values: [Double], mask: [Double]) -> Double {
        precondition(returns.count == values.count && values.count == mask.count, "arrays differ in length")
        let residual = zip(returns, values).map { $0 - $1 }
        return 1 - Masked.variance(residual, mask) / (Masked.variance(returns, mask) + 1e-5)
    }

    /// The fraction of groups with two or more rows whose outcome scores are all equal: GRPO
    /// gives such a group zero advantage, so it teaches nothing (TRL logs the same as
    /// `frac_reward_zero_std`). Singleton groups are left out (their advantage is their score);
    /// 0 when there is no group of two or more.
    public static func allEqualGroupFraction(scores: [Double], groupIDs: [String]) -> Double {
        precondition(scores.count == groupIDs.count, "one score per group id")
        let groups = GroupedScores.group(groupIDs).groups.filter { $0.count > 1 }
        guard !groups.isEmpty else { return 0 }
        let equal = groups.filter { rows in rows.allSatisfy { scores[$0] == scores[rows[0]] } }.count
        return Double(equal) / Double(groups.count)
    }

    /// Search-R1's `state_tokens/total` (tokens the loss is computed on) and
    /// `state_tokens/coverage` (that count over all response tokens, information included).
    public static func stateTokens(lossMask: [Double], responseMask: [Double]) -> (total: Double, coverage: Double) {
        precondition(lossMask.count == responseMask.count, "masks differ in length")
        let kept = lossMask.reduce(0, +), all = responseMask.reduce(0, +)
        return (kept, all == 0 ? 0 : kept / all)
    }

    /// Mean, max and min of the values at mask-1 positions (verl logs `critic/advantages/*`,
    /// `critic/returns/*`, `critic/values/*` this way); all 0 when the mask is empty.
    public static func summary(_ values: [Double], mask: [Double]) -> Summary {
        precondition(values.count == mask.count, "values and mask differ in length")
        let kept = values.indices.filter { mask[$0] != 0 }.map { values[$0] }
        guard let lo = kept.min(), let hi = kept.max() else { return Summary(mean: 0, max: 0, min: 0) }
        return Summary(mean: Masked.mean(values, mask), max: hi, min: lo)
    }

    /// Per-row token counts under `mask`, summarised: with the response mask this is
    /// `response_length/*`; with the loss mask, the length without information tokens.
    public static func lengths(mask: [Double], shape: TokenShape) -> Summary {
        shape.check(mask, "mask")
        let perRow = (0..<shape.rows).map { mask[shape.row($0)].reduce(0, +) }
        guard let lo = perRow.min(), let hi = perRow.max() else { return Summary(mean: 0, max: 0, min: 0) }
        return Summary(mean: perRow.reduce(0, +) / Double(perRow.count), max: hi, min: lo)
    }

    /// Each row's outcome score Σ_t r_{i,t} (what GRPO compares).
    public static func rowScores(tokenRewards: [Double], shape: TokenShape) -> [Double] {
        shape.check(tokenRewards, "tokenRewards")
        return (0..<shape.rows).map { i in tokenRewards[shape.row(i)].reduce(0, +) }
    }
}

/// Mean, max and min of a metric, as verl logs `name/mean`, `name/max`, `name/min`.
public struct Summary: Hashable, Sendable, Codable {
    public var mean: Double
    public var max: Double
    public var min: Double

    public init(mean: Double, max: Double, min: Double) {
        self.mean = mean
        self.max = max
        self.min = min
    }
}
