// The critic's clipped value loss (verl `compute_value_loss`), with its exact gradient.

/// The value loss of one (micro-)batch and its gradient.
public struct ValueLossResult: Sendable {
    /// ½·agg(max((v − R)², (v_clip − R)²)).
    public var loss: Double
    /// ∂loss/∂predictedValues (B·L), for the critic's backward pass.
    public var valueGradient: [Double]
    /// Fraction of mask-1 tokens where the clipped error was the larger (`critic/vf_clipfrac`).
    public var clipFraction: Double
}

/// The critic loss (verl `compute_value_loss`).
public enum ValueLoss {
    /// v_clip = clamp(v, V_old − c, V_old + c);
    /// loss = ½·agg(max((v − R)², (v_clip − R)²), mask).
    /// - Parameters:
    ///   - predicted: the critic's values under the parameters being trained.
    ///   - old: the values recorded at rollout time.
    ///   - returns: the targets from the estimator.
    ///   - mask: the response attention mask (information tokens included, as Search-R1's critic).
    ///   - clipRange: c (`critic.cliprange_value`, 0.5).
    public static func compute(predicted: [Double], old: [Double], returns: [Double], mask: [Double],
                               shape: TokenShape, clipRange: Double,
                               aggregation: LossAggregation = LossAggregation()) -> ValueLossResult {
        for (array, name) in [(predicted, "predicted"), (old, "old"), (returns, "returns")] as [([Double], StaticString)] {
            shape.check(array, name)
        }
        let w = aggregation.weights(mask: mask, shape: shape)
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: shape.count)
        var clipped = [Double](repeating: 0, count: shape.count)
        for k in 0..<shape.count {
            let v = predicted[k], r = returns[k]
            let lo = old[k] - clipRange, hi = old[k] + clipRange
            let vClip = min(max(v, lo), hi)
            let unclippedError = (v - r) * (v - r), clippedError = (vClip - r) * (vClip - r)
            let derivative: Double
            if unclippedError >= clippedError {
                derivative = 2 * (v - r)
            } else {
                derivative = (v >= lo && v <= hi) ? 2 * (vClip - r) : 0
            }
            clipped[k] = clippedError > unclippedError ? 1 : 0
            loss += 0.5 * w[k] * max(unclippedError, clippedError)
            gradient[k] = 0.5 * w[k] * derivative
        }
        return ValueLossResult(loss: loss, valueGradient: gradient, clipFraction: Masked.mean(clipped, mask))
    }
}
