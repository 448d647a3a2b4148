// The PPO clipped surrogate with dual clip, entropy bonus and KL loss (verl `vanilla`
// policy loss plus the actor's `update_policy` composition), with exact gradients.
import Foundation

/// What the actor loss reads for one (micro-)batch, B·L each.
public struct PolicyLossBatch: Sendable {
    /// B × L.
    public var shape: TokenShape
    /// log π_θ(y_t) under the parameters being trained.
    public var logProbs: [Double]
    /// log π_old(y_t) from the rollout policy (`old_log_probs`).
    public var oldLogProbs: [Double]
    /// A_t from the estimator.
    public var advantages: [Double]
    /// The loss mask: response tokens minus information tokens when state masking is on.
    public var lossMask: [Double]
    /// Per-token entropy of π_θ; empty when the entropy bonus is off.
    public var entropy: [Double]
    /// log π_ref(y_t); empty when the KL loss is off.
    public var referenceLogProbs: [Double]

    public init(shape: TokenShape, logProbs: [Double], oldLogProbs: [Double], advantages: [Double],
                lossMask: [Double], entropy: [Double] = [], referenceLogProbs: [Double] = []) {
        for (array, name) in [(logProbs, "logProbs"), (oldLogProbs, "oldLogProbs"), (advantages, "advantages"),
                              (lossMask, "lossMask")] as [([Double], StaticString)] {
            shape.check(array, name)
        }
        precondition(entropy.isEmpty || entropy.count == shape.count, "entropy must be empty or B·L long")
        precondition(referenceLogProbs.isEmpty || referenceLogProbs.count == shape.count,
                     "referenceLogProbs must be empty or B·L long")
        self.shape = shape
        self.logProbs = logProbs
        self.oldLogProbs = oldLogProbs
        self.advantages = advantages
        self.lossMask = lossMask
        self.entropy = entropy
        self.referenceLogProbs = referenceLogProbs
    }
}

/// The actor loss's hyper-parameters (`actor_rollout_ref.actor.*`).
public struct PolicyLossParameters: Hashable, Sendable, Codable {
    /// ε_low: the ratio is clipped below at 1 − ε_low.
    public var clipRatioLow: Double = 0.2
    /// ε_high: the ratio is clipped above at 1 + ε_high.
    public var clipRatioHigh: Double = 0.2
    /// c > 1 of dual-clip PPO (Ye et al. 2020, arXiv 1912.09729); nil disables it, as in
    /// Search-R1's trainer.
    public var clipRatioC: Double? = nil
    /// Weight of the entropy bonus (subtracted from the loss).
    public var entropyCoefficient: Double = 0
    /// Weight of the KL loss; 0 disables it (`use_kl_loss: false`).
    public var klLossCoefficient: Double = 0
    /// The KL estimator of the KL loss (`kl_loss_type`).
    public var klLossType: KLEstimator = .lowVarKL
    /// `loss_agg_mode` (and `loss_scale_factor`).
    public var aggregation = LossAggregation()

    /// Search-R1's defaults: ε 0.2 both sides, no dual clip, no entropy bonus, no KL loss, token-mean.
    public init() {}
}

/// The actor loss, its gradients and its metrics.
public struct PolicyLossResult: Sendable {
    /// pg_loss − entropy_coeff·entropy + kl_coef·kl_loss.
    public var loss: Double
    /// ∂loss/∂logProbs (B·L): what the policy's backward pass starts from.
    public var logProbGradient: [Double]
    /// ∂loss/∂entropy (B·L), to chain through the policy's entropy; zeros when the bonus is off.
    public var entropyGradient: [Double]
    /// Clip fractions, approximate KL and the loss terms.
    public var metrics: PolicyLossMetrics
}

/// Diagnostics of one actor-loss evaluation.
public struct PolicyLossMetrics: Hashable, Sendable, Codable {
    /// The aggregated clipped surrogate alone.
    public var pgLoss: Double
    /// Fraction of mask-1 tokens where the clipped term won (`actor/pg_clipfrac`).
    public var pgClipFraction: Double
    /// Fraction of mask-1 tokens where the dual clip bound (`actor/pg_clipfrac_lower`).
    public var pgClipFractionLower: Double
    /// Masked mean of old − new log-prob (`actor/ppo_kl`).
    public var ppoKL: Double
    /// The aggregated entropy (`actor/entropy_loss`); 0 when not given.
    public var entropy: Double
    /// The aggregated KL to the reference (`actor/kl_loss`); 0 when off.
    public var klLoss: Double

    /// (name, value) pairs under verl's metric names, in a fixed order.
    public var named: [(String, Double)] {
        [("actor/pg_loss", pgLoss), ("actor/pg_clipfrac", pgClipFraction),
         ("actor/pg_clipfrac_lower", pgClipFractionLower), ("actor/ppo_kl", ppoKL),
         ("actor/entropy_loss", entropy), ("actor/kl_loss", klLoss)]
    }
}

/// The actor loss (verl `compute_policy_loss`, mode `vanilla`, plus entropy bonus and KL loss).
public enum PolicyLoss {
    /// The actor loss of verl's `vanilla` mode:
    /// ```
    /// ratio = exp(clamp(logp − old, −20, 20))
    /// L1 = −A·ratio;  L2 = −A·clamp(ratio, 1−ε_low, 1+ε_high);  clip1 = max(L1, L2)
    /// L3 = −A·c;      clip2 = min(L3, clip1);   l_t = A < 0 ? clip2 : clip1   (dual clip on)
    /// loss = agg(l) − entropy_coeff·agg(H) + kl_coef·agg(kl(logp, ref))
    /// ```
    /// Gradients follow autograd's rules: clamps pass no gradient outside their range.
    public static func compute(_ batch: PolicyLossBatch, _ p: PolicyLossParameters) -> PolicyLossResult {
        let shape = batch.shape, mask = batch.lossMask
        let w = p.aggregation.weights(mask: mask, shape: shape)
        var perToken = [Double](repeating: 0, count: shape.count)
        var gradient = [Double](repeating: 0, count: shape.count)
        var clipped = perToken, clippedLower = perToken, negativeLogRatio = perToken
        for k in 0..<shape.count {
            let token = surrogate(logRatio: batch.logProbs[k] - batch.oldLogProbs[k], advantage: batch.advantages[k], p)
            perToken[k] = token.loss
            gradient[k] = w[k] * token.derivative
            clipped[k] = token.clipped ? 1 : 0
            clippedLower[k] = token.clippedLower ? 1 : 0
            negativeLogRatio[k] = -token.logRatio
        }
        var metrics = PolicyLossMetrics(
            pgLoss: zip(perToken, w).reduce(0) { $0 + $1.0 * $1.1 },
            pgClipFraction: Masked.mean(clipped, mask), pgClipFractionLower: Masked.mean(clippedLower, mask),
            ppoKL: Masked.mean(negativeLogRatio, mask), entropy: 0, klLoss: 0)
        var loss = metrics.pgLoss
        var entropyGradient = [Double](repeating: 0, count: shape.count)
        if !batch.entropy.isEmpty {
            metrics.entropy = p.aggregation.aggregate(batch.entropy, mask: mask, shape: shape)
            loss -= p.entropyCoefficient * metrics.entropy
            entropyGradient = w.map { -p.entropyCoefficient * $0 }
        }
        if p.klLossCoefficient != 0 {
            precondition(batch.referenceLogProbs.count == shape.count, "the KL loss needs reference log-probs")
            let kl = p.klLossType.values(logProbs: batch.logProbs, references: batch.referenceLogProbs)
            metrics.klLoss = p.aggregation.aggregate(kl, mask: mask, shape: shape)
            loss += p.klLossCoefficient * metrics.klLoss
            for k in 0..<shape.count where w[k] != 0 {
                let d = p.klLossType.derivative(logProb: batch.logProbs[k], reference: batch.referenceLogProbs[k])
                gradient[k] += p.klLossCoefficient * w[k] * d
            }
        }
        return PolicyLossResult(loss: loss, logProbGradient: gradient, entropyGradient: entropyGradient, metrics: metrics)
    }

    /// One token's clipped surrogate and ∂/∂logp.
    static func surrogate(logRatio raw: Double, advantage a: Double, _ p: PolicyLossParameters)
        -> (loss: Double, derivative: Double, clipped: Bool, clippedLower: Bool, logRatio: Double) {
        let logRatio = min(max(raw, -20), 20)
        let ratio = exp(logRatio)
        // ∂ratio/∂logp: exp passes through, the ±20 clamp stops it.
        let dRatio = (raw >= -20 && raw <= 20) ? ratio : 0
        let lo = 1 - p.clipRatioLow, hi = 1 + p.clipRatioHigh
        let l1 = -a * ratio, d1 = -a * dRatio
        let l2 = -a * min(max(ratio, lo), hi)
        let d2 = (ratio >= lo && ratio <= hi) ? d1 : 0
        var (loss, derivative) = l1 >= l2 ? (l1, d1) : (l2, d2)
        let clipped = l2 > l1
        var clippedLower = false
        if let c = p.clipRatioC, a < 0 {
            let l3 = -a * c
            clippedLower = loss > l3
            if clippedLower { (loss, derivative) = (l3, 0) }
        }
        return (loss, derivative, clipped, clippedLower, logRatio)
    }
}
