// One PPO/GRPO update from a batch of rollouts (verl's `fit` step after generation):
// score with the rollout policy, the reference and the critic; KL in the reward; advantages;
// then epochs × mini-batches × micro-batches of policy (and critic) gradient steps.
import Foundation
import SearchLabCore
import SearchLabPolicy

/// The models and optimiser state a run carries from step to step.
public final class TrainingModels: @unchecked Sendable {
    public let tokenizer: Tokenizer
    public let policy: Transformer
    /// The frozen KL reference (the policy at the start of training).
    public let reference: Transformer
    /// The PPO critic (a value-head transformer), for `gae` only.
    public let critic: Transformer?
    public let actorOptimizer: AdamW
    public let criticOptimizer: AdamW?
    public var klController: KLController

    public init(tokenizer: Tokenizer, policy: Transformer, reference: Transformer, critic: Transformer?,
                actorOptimizer: AdamW, criticOptimizer: AdamW?, klController: KLController) {
        self.tokenizer = tokenizer
        self.policy = policy
        self.reference = reference
        self.critic = critic
        self.actorOptimizer = actorOptimizer
        self.criticOptimizer = criticOptimizer
        self.klController = klController
    }
}

/// Runs the update half of a training step.
public struct PolicyUpdate {
    public let config: TrainingConfig

    public init(config: TrainingConfig) { self.config = config }

    struct Scores { var old: [Double]; var reference: [Double]; var values: [Double]; var scorable: [Double] }

    /// Updates `models` from `batch`; returns verl-named metrics, sorted by name.
    /// `timer`, when given, receives the `scoring`, `backward` (forward + backward of the
    /// update) and `optimizer` wall times.
    public func run(_ batch: RolloutBatch, models: TrainingModels, step: Int, timer: PhaseTimer? = nil) -> [String: Double] {
        let timer = timer ?? PhaseTimer()
        let shape = batch.shape
        let context = models.policy.config.contextLength
        let scores = timer.measure("scoring") { score(batch, models: models, context: context) }
        let response = zip(batch.responseMask, scores.scorable).map(*)
        let info = zip(batch.infoMask, scores.scorable).map(*)
        var metrics: [String: Double] = [:]

        var tokenRewards = batch.tokenScores
        if config.useKLInReward {
            let penalty = KLRewardPenalty.apply(scores: batch.tokenScores, oldLogProbs: scores.old,
                                                referenceLogProbs: scores.reference, mask: info, shape: shape,
                                                estimator: config.klPenalty, beta: models.klController.coefficient)
            tokenRewards = penalty.rewards
            metrics["critic/kl"] = penalty.meanKL
            metrics["critic/kl_coeff"] = models.klController.coefficient
            models.klController.update(currentKL: penalty.meanKL, steps: shape.rows)
        }
        let advantages: Advantages
        do {
            advantages = try config.estimator.estimator(config.advantage).estimate(
                AdvantageBatch(shape: shape, tokenRewards: tokenRewards, values: models.critic == nil ? [] : scores.values,
                               responseMask: response, groupIDs: batch.groupIDs))
        } catch {
            preconditionFailure("advantage inputs are built to the estimator's contract: \(error)")
        }
        let lossMask = BatchPreparation.lossMask(responseMask: response, infoMask: info, stateMasking: config.actor.stateMasking)
        let state = StateMetrics.compute(lossMask: lossMask, responseMask: response, infoMask: info, shape: shape)
        metrics.merge(state) { $1 }
        if models.critic != nil {
            metrics["critic/vf_explained_var"] = StepMetrics.explainedVariance(returns: advantages.returns, values: scores.values, mask: response)
        }
        let inputs = UpdateInputs(batch: batch, scores: scores, advantages: advantages, lossMask: lossMask, responseMask: response)
        metrics.merge(updateLoop(inputs, models: models, step: step, context: context, timer: timer)) { $1 }
        return metrics
    }

    /// Teacher-forced scores of every row under the rollout policy, the reference and the critic.
    ///
    /// Rows are scored in micro-batches of similar length (sorted by sequence length, ties by
    /// row), so little of each forward pass is padding; results are written back by row.
    func score(_ batch: RolloutBatch, models: TrainingModels, context: Int) -> Scores {
        let shape = batch.shape
        let needReference = config.useKLInReward || config.actor.useKLLoss
        var s = Scores(old: [Double](repeating: 0, count: shape.count), reference: [Double](repeating: 0, count: shape.count),
                       values: models.critic == nil ? [] : [Double](repeating: 0, count: shape.count),
                       scorable: [Double](repeating: 0, count: shape.count))
        let byLength = (0..<shape.rows).sorted {
            (min(batch.sequences[$0].count, context), $0) < (min(batch.sequences[$1].count, context), $1)
        }
        // The update's micro-batches come from the same rows, so this covers them too.
        let longest = byLength.last.map { min(batch.sequences[$0].count, context) } ?? 0
        for model in [models.policy] + (needReference ? [models.reference] : []) + (models.critic.map { [$0] } ?? []) {
            model.reserveActivations(b: min(max(1, config.actor.microBatchSize), shape.rows), t: longest)
        }
        for chunk in byLength.chunked(max(1, config.actor.microBatchSize)) {
            let window = ScoringWindow(batch: batch, rows: chunk, context: context)
            func place(_ values: [Double], into target: inout [Double]) {
                for (r, row) in chunk.enumerated() {
                    target.replaceSubrange(shape.row(row), with: values[window.shape.row(r)])
                }
            }
            place(window.gather(models.policy.scoreTokens(window.tokenBatch).logProbs), into: &s.old)
            if needReference { place(window.gather(models.reference.scoreTokens(window.tokenBatch).logProbs), into: &s.reference) }
            if let critic = models.critic { place(window.gather(critic.scoreTokens(window.tokenBatch).values), into: &s.values) }
            place(window.scorable, into: &s.scorable)
        }
        return s
    }

    struct UpdateInputs {
        var batch: RolloutBatch
        var scores: Scores
        var advantages: Advantages
        var lossMask: [Double]
        var responseMask: [Double]
    }

    /// Epochs × shuffled mini-batches × micro-batches, one optimiser step per mini-batch.
    func updateLoop(_ inputs: UpdateInputs, models: TrainingModels, step: Int, context: Int, timer: PhaseTimer) -> [String: Double] {
        let rows = inputs.batch.shape.rows
        var sums = MetricAccumulator()
        let actorLR = config.actor.optimizer.lr * config.actorSchedule.multiplier(step: step)
        let criticLR = config.critic.optimizer.lr * config.criticSchedule.multiplier(step: step)
        let updateActor = step >= config.criticWarmupSteps || models.critic == nil
        for epoch in 0..<config.actor.epochs {
            var order = Array(0..<rows)
            var random = RandomStream(seed: config.seed, purpose: "trainer.minibatch", UInt64(step), UInt64(epoch))
            order.shuffle(using: &random)
            for mini in order.chunked(config.actor.miniBatchSize) {
                models.policy.zeroGradients()
                models.critic?.zeroGradients()
                // Micro-batches of similar length waste less of each pass on padding.
                let micros = mini.sorted { (inputs.batch.sequences[$0].count, $0) < (inputs.batch.sequences[$1].count, $1) }
                    .chunked(config.actor.microBatchSize)
                let scale = 1.0 / Double(micros.count)
                for micro in micros {
                    let window = ScoringWindow(batch: inputs.batch, rows: micro, context: context)
                    timer.measure("backward") {
                        if updateActor { sums.add(actorMicroStep(window, inputs, models: models, scale: scale)) }
                        if let critic = models.critic { sums.add(criticMicroStep(window, inputs, critic: critic, scale: scale)) }
                    }
                }
                timer.measure("optimizer") {
                    applyGradients(models: models, updateActor: updateActor, actorLR: actorLR, criticLR: criticLR, sums: &sums)
                }
            }
        }
        var out = sums.means()
        out["actor/lr"] = updateActor ? actorLR : 0
        if models.critic != nil { out["critic/lr"] = criticLR }
        return out
    }

    /// Clips and applies the accumulated gradients of one mini-batch.
    func applyGradients(models: TrainingModels, updateActor: Bool, actorLR: Double, criticLR: Double,
                        sums: inout MetricAccumulator) {
        if updateActor {
            let norm = AdamW.clipGradientNorm(models.policy.gradients, maxNorm: Float(config.actor.optimizer.gradClip))
            models.actorOptimizer.update(parameters: models.policy.parameters, gradients: models.policy.gradients,
                                         learningRate: Float(actorLR), decayed: models.policy.layout.decayedRanges)
            sums.add(["actor/grad_norm": Double(norm)])
        }
        if let critic = models.critic, let optimizer = models.criticOptimizer {
            let norm = AdamW.clipGradientNorm(critic.gradients, maxNorm: Float(config.actor.optimizer.gradClip))
            optimizer.update(parameters: critic.parameters, gradients: critic.gradients,
                             learningRate: Float(criticLR), decayed: critic.layout.decayedRanges)
            sums.add(["critic/grad_norm": Double(norm)])
        }
    }

    func actorMicroStep(_ window: ScoringWindow, _ inputs: UpdateInputs, models: TrainingModels, scale: Double) -> [String: Double] {
        let full = inputs.batch.shape
        let params = config.actor.loss
        let s = models.policy.forward(window.tokenBatch)
        let loss = PolicyLoss.compute(PolicyLossBatch(
            shape: window.shape, logProbs: window.gather(s.logProbs), oldLogProbs: window.slice(inputs.scores.old, from: full),
            advantages: window.slice(inputs.advantages.advantages, from: full), lossMask: window.slice(inputs.lossMask, from: full),
            entropy: window.gather(s.entropies),
            referenceLogProbs: config.actor.useKLLoss ? window.slice(inputs.scores.reference, from: full) : []), params).scaled(by: scale)
        models.policy.backward(dLogProbs: window.scatter(loss.logProbGradient),
                               dEntropies: params.entropyCoefficient != 0 ? window.scatter(loss.entropyGradient) : nil,
                               dValues: nil)
        return Dictionary(uniqueKeysWithValues: loss.metrics.named)
    }

    func criticMicroStep(_ window: ScoringWindow, _ inputs: UpdateInputs, critic: Transformer, scale: Double) -> [String: Double] {
        let full = inputs.batch.shape
        let s = critic.forward(window.tokenBatch)
        let result = ValueLoss.compute(predicted: window.gather(s.values), old: window.slice(inputs.scores.values, from: full),
                                       returns: window.slice(inputs.advantages.returns, from: full),
                                       mask: window.slice(inputs.responseMask, from: full), shape: window.shape,
                                       clipRange: config.critic.clipRangeValue).scaled(by: scale)
        critic.backward(dLogProbs: nil, dEntropies: nil, dValues: window.scatter(result.valueGradient))
        return ["critic/vf_loss": result.loss / scale, "critic/vf_clipfrac": result.clipFraction]
    }
}

/// Means of metrics reported once per micro- or mini-batch.
struct MetricAccumulator {
    private var sums: [String: Double] = [:]
    private var counts: [String: Int] = [:]

    mutating func add(_ values: [String: Double]) {
        for (k, v) in values { sums[k, default: 0] += v; counts[k, default: 0] += 1 }
    }

    func means() -> [String: Double] {
        sums.reduce(into: [:]) { out, kv in out[kv.key] = kv.value / Double(counts[kv.key]!) }
    }
}

/// State-token (retrieved-token) statistics, Search-R1's `state_tokens/*`.
enum StateMetrics {
    static func compute(lossMask: [Double], responseMask: [Double], infoMask: [Double], shape: TokenShape) -> [String: Double] {
        let state = StepMetrics.stateTokens(lossMask: lossMask, responseMask: responseMask)
        let withInfo = StepMetrics.lengths(mask: responseMask, shape: shape)
        let generated = StepMetrics.lengths(mask: infoMask, shape: shape)
        return ["state_tokens/total": state.total, "state_tokens/coverage": state.coverage,
                "response_length/mean": withInfo.mean, "response_length/max": withInfo.max,
                "response_length/generated_mean": generated.mean]
    }
}

extension Array {
    /// Consecutive chunks of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        precondition(size > 0, "chunk size must be positive")
        return stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
