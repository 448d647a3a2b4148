// Reducing a per-token loss matrix to one number (verl `agg_loss`).

/// How per-token losses become the batch loss (`actor_rollout_ref.actor.loss_agg_mode`).
public enum LossAggregationMode: String, NamedChoice, Codable {
    /// Σ l·m / Σ m over the whole batch (Search-R1 and verl's default).
    case tokenMean = "token-mean"
    /// Each sequence's Σ_t l·m, averaged over the sequences with any masked-in token.
    case seqMeanTokenSum = "seq-mean-token-sum"
    /// Each sequence's Σ_t l·m / (Σ_t m + 1e-8), averaged over non-empty sequences (the
    /// original GRPO normalisation).
    case seqMeanTokenMean = "seq-mean-token-mean"
    /// Σ l·m / loss_scale_factor (Dr.GRPO); the factor defaults to L.
    case seqMeanTokenSumNorm = "seq-mean-token-sum-norm"

    public static let choiceDescription = "loss aggregation mode"
}

/// A loss aggregation: a mode plus, for `seq-mean-token-sum-norm`, its constant.
///
/// Every mode is linear in the per-token losses, so it is fully described by one weight per
/// token: `loss = Σ_t w_t·l_t`, and `w_t` is also ∂loss/∂l_t — which is how the losses below
/// obtain exact gradients.
public struct LossAggregation: Hashable, Sendable, Codable {
    /// `loss_agg_mode`.
    public var mode: LossAggregationMode
    /// `loss_scale_factor`; nil means the response length L.
    public var scaleFactor: Double?

    public init(_ mode: LossAggregationMode = .tokenMean, scaleFactor: Double? = nil) {
        self.mode = mode
        self.scaleFactor = scaleFactor
    }

    /// w_t = ∂ aggregate / ∂ l_t for every token (B·L); 0 wherever the mask is 0.
    public func weights(mask: [Double], shape: TokenShape) -> [Double] {
        shape.check(mask, "mask")
        switch mode {
        case .tokenMean:
            let total = mask.reduce(0, +)
            return mask.map { total == 0 ? 0 : $0 / total }
        case .seqMeanTokenSum, .seqMeanTokenMean:
            return perSequenceWeights(mask: mask, shape: shape, meanWithinRow: mode == .seqMeanTokenMean)
        case .seqMeanTokenSumNorm:
            let factor = scaleFactor ?? Double(shape.length)
            return mask.map { $0 / factor }
        }
    }

    private func perSequenceWeights(mask: [Double], shape: TokenShape, meanWithinRow: Bool) -> [Double] {
        let rowSums = (0..<shape.rows).map { mask[shape.row($0)].reduce(0, +) }
        let nonEmpty = Double(rowSums.filter { $0 > 0 }.count)
        guard nonEmpty > 0 else { return [Double](repeating: 0, count: shape.count) }
        var w = [Double](repeating: 0, count: shape.count)
        for i in 0..<shape.rows {
            let rowScale = meanWithinRow ? 1 / (rowSums[i] + 1e-8) : 1
            for k in shape.row(i) { w[k] = mask[k] * rowScale / nonEmpty }
        }
        return w
    }

    /// The aggregate Σ_t w_t·l_t.
    public func aggregate(_ losses: [Double], mask: [Double], shape: TokenShape) -> Double {
        shape.check(losses, "losses")
        return zip(losses, weights(mask: mask, shape: shape)).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
