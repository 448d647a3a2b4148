// Per-token estimators of KL(π‖π_ref) from log-probabilities of the sampled tokens
// (Schulman, "Approximating KL Divergence", 2020; verl `kl_penalty`).
import Foundation

/// How a token's KL to the reference policy is estimated (`algorithm.kl_penalty`,
/// `actor_rollout_ref.actor.kl_loss_type`).
public enum KLEstimator: String, NamedChoice, Codable {
    /// k1: logp − ref.
    case kl
    /// |logp − ref|.
    case abs
    /// k2: ½(logp − ref)².
    case mse
    /// k3: e^k − k − 1 with k = clamp(ref − logp, −20, 20), the result clamped to [−10, 10].
    case lowVarKL = "low_var_kl"

    public static let choiceDescription = "KL estimator"

    /// The estimate for one token.
    public func value(logProb: Double, reference: Double) -> Double {
        let d = logProb - reference
        switch self {
        case .kl: return d
        case .abs: return Swift.abs(d)
        case .mse: return 0.5 * d * d
        case .lowVarKL:
            let k = min(max(-d, -20), 20)
            return min(max(Foundation.exp(k) - k - 1, -10), 10)
        }
    }

    /// ∂ value / ∂ logProb (the reference is frozen). Clamps pass no gradient outside their
    /// range, as in autograd; |x| has derivative 0 at 0.
    public func derivative(logProb: Double, reference: Double) -> Double {
        let d = logProb - reference
        switch self {
        case .kl: return 1
        case .abs: return d > 0 ? 1 : (d < 0 ? -1 : 0)
        case .mse: return d
        case .lowVarKL:
            let k = -d
            guard k >= -20, k <= 20 else { return 0 }
            let e = Foundation.exp(k)
            guard e - k - 1 <= 10 else { return 0 }
            // d/dlogp (e^k − k − 1) with dk/dlogp = −1.
            return -(e - 1)
        }
    }

    /// The estimate at every token (B·L).
    public func values(logProbs: [Double], references: [Double]) -> [Double] {
        precondition(logProbs.count == references.count, "logProbs and references differ in length")
        return zip(logProbs, references).map { value(logProb: $0, reference: $1) }
    }
}

/// KL folded into the reward, PPO style (verl `apply_kl_penalty`, used when
/// `algorithm.use_kl_in_reward` is on).
public enum KLRewardPenalty {
    /// token_level_rewards = token_level_scores − β·kld·mask, with kld from the rollout policy's
    /// log-probs (`old_log_probs`) against the reference.
    ///
    /// - Parameters:
    ///   - mask: the response's info mask (B·L): information tokens are 0, so retrieved text is
    ///     never penalised (Search-R1 passes `info_mask` here).
    /// - Returns: the rewards, and the batch KL the adaptive controller reads: the mean over
    ///   rows of each row's masked mean kld (rows with an empty mask are left out).
    public static func apply(scores: [Double], oldLogProbs: [Double], referenceLogProbs: [Double],
                             mask: [Double], shape: TokenShape, estimator: KLEstimator,
                             beta: Double) -> (rewards: [Double], meanKL: Double) {
        shape.check(scores, "scores")
        shape.check(mask, "mask")
        let kld = estimator.values(logProbs: oldLogProbs, references: referenceLogProbs)
        let rewards = scores.indices.map { scores[$0] - beta * kld[$0] * mask[$0] }
        var rowMeans: [Double] = []
        for i in 0..<shape.rows {
            let r = shape.row(i)
            let m = Array(mask[r])
            if m.reduce(0, +) > 0 { rowMeans.append(Masked.mean(Array(kld[r]), m)) }
        }
        let meanKL = rowMeans.isEmpty ? 0 : rowMeans.reduce(0, +) / Double(rowMeans.count)
        return (rewards, meanKL)
    }
}
