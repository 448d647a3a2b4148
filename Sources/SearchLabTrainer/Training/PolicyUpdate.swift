// One PPO/GRPO update from a batch of rollouts (verl's `fit` step after generation):
// score with the rollout policy, the reference and the critic; KL in the reward; advantages;
// then epochs × mini-batches × micro-batches of policy (and critic) gradient steps.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabTensor

/// The models and optimiser state a run carries from step to step, with one replica of each
/// model per worker (see ``ModelReplicas``).
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
    public let policyReplicas: ModelReplicas
    public let referenceReplicas: ModelReplicas
    public let criticReplicas: ModelReplicas?

    public init(tokenizer: Tokenizer, policy: Transformer, reference: Transformer, critic: Transformer?,
                actorOptimizer: AdamW, criticOptimizer: AdamW?, klController: KLController, pool: WorkerPool = WorkerPool(count: 1)) {
        self.tokenizer = tokenizer
        self.policy = policy
        self.reference = reference
        self.critic = critic
        self.actorOptimizer = actorOptimizer
        self.criticOptimizer = criticOptimizer
        self.klController = klController
        policyReplicas = ModelReplicas(policy, pool: pool)
        referenceReplicas = ModelReplicas(reference, pool: pool)
        criticReplicas = critic.map { ModelReplicas($0, pool: pool) }
    }

    /// The workers that generate, score and update side by side (`trainer.threads`).
    public var pool: WorkerPool { policyReplicas.pool }
}

/// Runs the update half of a training step.
public struct PolicyUpdate {
    public let config: TrainingConfig

    public init(config: TrainingConfig) { self.config = config }

    /// For tests: receives each actor micro-batch's rows (whole-batch indices, in the order of
    /// the micro-batch's response matrix) and the loss's ∂/∂logProbs and ∂/∂entropy at every
    /// response token (rows × L, after the micro-batch scale), just before they go to backward.
    var lossGradientObserver: ((_ rows: [Int], _ logProbGradient: [Double], _ entropyGradient: [Double]) -> Void)?

    struct Scores { var old: [Double]; var reference: [Double]; var values: [Double]; var scorable: [Double] }

    /// What an update reports: verl-named metrics, and each row's token view (what the loss
    /// saw of each response token).
    public struct Outcome {
        public var metrics: [String: Double]
        public var tokenViews: [TokenView]
    }

    /// Updates `models` from `batch`; returns verl-named metrics, sorted by name.
    public func run(_ batch: RolloutBatch, models: TrainingModels, step: Int, timer: PhaseTimer? = nil) -> [String: Double] {
        update(batch, models: models, step: step, timer: timer).metrics
    }

    /// Updates `models` from `batch`. `timer`, when given, receives the `scoring`, `backward`
    /// (forward + backward of the update) and `optimizer` wall times.
    public func update(_ batch: RolloutBatch, models: TrainingModels, step: Int, timer: PhaseTimer? = nil) -> Outcome {
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
        let views = Self.tokenViews(batch, scores: scores, lossMask: lossMask, tokenizer: models.tokenizer)
        metrics.merge(updateLoop(inputs, models: models, step: step, context: context, timer: timer)) { $1 }
        return Outcome(metrics: metrics, tokenViews: views)
    }

    /// Each row's response tokens with their byte lengths, their log-probability under the
    /// rollout policy (scored before any update) and whether the loss counted them.
    static func tokenViews(_ batch: RolloutBatch, scores: Scores, lossMask: [Double], tokenizer: Tokenizer) -> [TokenView] {
        (0..<batch.shape.rows).map { i in
            let response = batch.sequences[i][batch.promptLengths[i]...]
            let base = i * batch.shape.length
            return TokenView(byteLengths: response.map { tokenizer.bytes(of: $0).count },
                             logProbs: response.indices.map { t in
                                 let k = base + t - batch.promptLengths[i]
                                 return scores.scorable[k] == 0 ? .nan : Float(scores.old[k])
                             },
                             trained: response.indices.map { lossMask[base + $0 - batch.promptLengths[i]] != 0 })
        }
    }

    /// Teacher-forced scores of every row under the rollout policy, the reference and the critic.
    ///
    /// Rows are scored in micro-batches of similar length (sorted by sequence length, ties by
    /// row), so little of each forward pass is padding; each (micro-batch, model) pass is a job
    /// for the workers, and results are written back by row.
    func score(_ batch: RolloutBatch, models: TrainingModels, context: Int) -> Scores {
        let shape = batch.shape
        let needReference = config.useKLInReward || config.actor.useKLLoss
        var s = Scores(old: [Double](repeating: 0, count: shape.count), reference: [Double](repeating: 0, count: shape.count),
                       values: models.critic == nil ? [] : [Double](repeating: 0, count: shape.count),
                       scorable: [Double](repeating: 0, count: shape.count))
        let byLength = (0..<shape.rows).sorted {
            (min(batch.sequences[$0].count, context), $0) < (min(batch.sequences[$1].count, context), $1)
        }
        enum Scorer { case policy, reference, critic }
        let scorers: [Scorer] = [.policy] + (needReference ? [.reference] : []) + (models.critic == nil ? [] : [.critic])
        func replicas(_ scorer: Scorer) -> ModelReplicas {
            switch scorer {
            case .policy: models.policyReplicas
            case .reference: models.referenceReplicas
            case .critic: models.criticReplicas!
            }
        }
        // The update's micro-batches come from the same rows, so this covers them too.
        let longest = byLength.last.map { min(batch.sequences[$0].count, context) } ?? 0
        for scorer in scorers {
            replicas(scorer).reserveActivations(b: min(max(1, config.actor.microBatchSize), shape.rows), t: longest)
        }
        let windows = byLength.chunked(max(1, config.actor.microBatchSize)).map { ScoringWindow(batch: batch, rows: $0, context: context) }
        // Longest first, so the workers' last jobs are short ones.
        let jobs = windows.indices.reversed().flatMap { w in scorers.map { (window: w, scorer: $0) } }
        let results = models.pool.map(jobs: jobs.count) { worker, j -> [Double] in
            let (window, scorer) = (windows[jobs[j].window], jobs[j].scorer)
            let scores = replicas(scorer).replica(for: worker).scoreTokens(window.tokenBatch)
            return window.gather(scorer == .critic ? scores.values : scores.logProbs)
        }
        for (j, job) in jobs.enumerated() {
            let window = windows[job.window]
            func place(_ values: [Double], into target: inout [Double]) {
                for (r, row) in window.rows.enumerated() {
                    target.replaceSubrange(shape.row(row), with: values[window.shape.row(r)])
                }
            }
            switch job.scorer {
            case .policy:
                place(results[j], into: &s.old)
                place(window.scorable, into: &s.scorable)
            case .reference: place(results[j], into: &s.reference)
            case .critic: place(results[j], into: &s.values)
            }
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
                // Micro-batches of similar length waste less of each pass on padding.
                let micros = mini.sorted { (inputs.batch.sequences[$0].count, $0) < (inputs.batch.sequences[$1].count, $1) }
                    .chunked(config.actor.microBatchSize)
                timer.measure("backward") {
                    for metrics in microSteps(micros, inputs, models: models, context: context, updateActor: updateActor) {
                        sums.add(metrics)
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

    /// The forward and backward passes of a mini-batch's micro-batches, one after the other,
    /// each cut into one part per worker; leaves the summed gradients in the policy (and
    /// critic) and returns each micro-batch's metrics in micro-batch order.
    func microSteps(_ micros: [[Int]], _ inputs: UpdateInputs, models: TrainingModels, context: Int,
                    updateActor: Bool) -> [[String: Double]] {
        let scale = 1.0 / Double(micros.count)
        models.policyReplicas.zeroGradients()
        models.criticReplicas?.zeroGradients()
        var metrics: [[String: Double]] = []
        for micro in micros {
            let parts = MicroBatchParts(batch: inputs.batch, rows: micro, context: context, partCount: models.pool.count)
            if updateActor { metrics.append(actorMicroStep(parts, inputs, models: models, scale: scale)) }
            if let critic = models.criticReplicas { metrics.append(criticMicroStep(parts, inputs, critic: critic, scale: scale)) }
        }
        if updateActor { models.policyReplicas.reduceGradients() }
        models.criticReplicas?.reduceGradients()
        return metrics
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
            let norm = AdamW.clipGradientNorm(critic.gradients, maxNorm: Float(config.critic.optimizer.gradClip))
            optimizer.update(parameters: critic.parameters, gradients: critic.gradients,
                             learningRate: Float(criticLR), decayed: critic.layout.decayedRanges)
            sums.add(["critic/grad_norm": Double(norm)])
        }
    }

    /// Part j runs forward and then backward on worker j's replica (a part per worker, so each
    /// replica still holds its part's activations when the loss's gradient comes back).
    func actorMicroStep(_ micro: MicroBatchParts, _ inputs: UpdateInputs, models: TrainingModels, scale: Double) -> [String: Double] {
        let full = inputs.batch.shape
        let params = config.actor.loss
        let replicas = models.policyReplicas
        let scores = models.pool.map(jobs: micro.parts.count) { worker, j in
            replicas.replica(for: worker).forward(micro.parts[j].tokenBatch)
        }
        let loss = PolicyLoss.compute(PolicyLossBatch(
            shape: micro.shape, logProbs: micro.gather(scores.map(\.logProbs)), oldLogProbs: micro.slice(inputs.scores.old, from: full),
            advantages: micro.slice(inputs.advantages.advantages, from: full), lossMask: micro.slice(inputs.lossMask, from: full),
            entropy: micro.gather(scores.map(\.entropies)),
            referenceLogProbs: config.actor.useKLLoss ? micro.slice(inputs.scores.reference, from: full) : []), params).scaled(by: scale)
        lossGradientObserver?(micro.parts.flatMap(\.rows), loss.logProbGradient, loss.entropyGradient)
        let dLogProbs = micro.scatter(loss.logProbGradient)
        let dEntropies = params.entropyCoefficient != 0 ? micro.scatter(loss.entropyGradient) : nil
        models.pool.run(jobs: micro.parts.count) { worker, j in
            replicas.replica(for: worker).backward(dLogProbs: dLogProbs[j], dEntropies: dEntropies?[j], dValues: nil)
        }
        return Dictionary(uniqueKeysWithValues: loss.metrics.named)
    }

    func criticMicroStep(_ micro: MicroBatchParts, _ inputs: UpdateInputs, critic: ModelReplicas, scale: Double) -> [String: Double] {
        let full = inputs.batch.shape
        let pool = critic.pool
        let scores = pool.map(jobs: micro.parts.count) { worker, j in critic.replica(for: worker).forward(micro.parts[j].tokenBatch) }
        let result = ValueLoss.compute(predicted: micro.gather(scores.map(\.values)), old: micro.slice(inputs.scores.values, from: full),
                                       returns: micro.slice(inputs.advantages.returns, from: full),
                                       mask: micro.slice(inputs.responseMask, from: full), shape: micro.shape,
                                       clipRange: config.critic.clipRangeValue).scaled(by: scale)
        let dValues = micro.scatter(result.valueGradient)
        pool.run(jobs: micro.parts.count) { worker, j in
            critic.replica(for: worker).backward(dLogProbs: nil, dEntropies: nil, dValues: dValues[j])
        }
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
