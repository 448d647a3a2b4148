import SearchLabCore
import SearchLabPolicy
import SearchLabTensor
import Testing
@testable import SearchLabTrainer

/// The update half of a step on a tiny byte-level transformer.
struct PolicyUpdateTests {
    static func config(_ estimator: String, extra: [String] = []) throws -> TrainingConfig {
        try TrainingConfig(ConfigLoader.resolve(file: nil, overrides: [
            "algorithm.adv_estimator=\(estimator)", "data.train_batch_size=2", "actor_rollout_ref.rollout.n_agent=2",
            "actor_rollout_ref.actor.ppo_mini_batch_size=4", "actor_rollout_ref.actor.ppo_micro_batch_size=2",
            "actor_rollout_ref.actor.optim.lr=0.003", "trainer.total_training_steps=20", "critic.optim.lr=0.003",
        ] + extra))
    }

    /// Two samples of one question: the first answers right (reward 1), the second wrong.
    static func rollouts() async throws -> [RolloutSample] {
        var policy = ScriptedPolicy(scripts: ["a": ["<answer> Varnel </answer>"], "b": ["<answer> Osk </answer>"]])
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 1, topK: 1), tokenizer: ByteTokenizer(),
                               engine: TwoPassageEngine(), makePrompt: { "Q: \($0.text)\n" })
        let right = Question(id: "a", dataSource: "s", text: "capital?", goldenAnswers: ["Varnel"])
        var wrong = right
        wrong.id = "b"
        return try await loop.run([right, wrong], sequenceIDs: [0, 1], policy: &policy)
    }

    static func models(_ config: TrainingConfig, critic: Bool, threads: Int = 1) throws -> TrainingModels {
        let tokenizer = try Tokenizer.build(corpus: ["Varnel Osk"], vocabSize: 300, minCount: 1)
        let policy = try Transformer(config: .tiny(vocabSize: 256 + 12 + 20))
        policy.initialize(seed: 3)
        var criticConfig = TransformerConfig.tiny(vocabSize: policy.config.vocabSize)
        criticConfig.valueHead = true
        let criticModel = critic ? try Transformer(config: criticConfig) : nil
        criticModel?.initialize(seed: 4)
        return TrainingModels(tokenizer: tokenizer, policy: policy, reference: policy.frozenCopy(), critic: criticModel,
                              actorOptimizer: AdamW(parameterCount: policy.parameters.count, weightDecay: 0),
                              criticOptimizer: criticModel.map { AdamW(parameterCount: $0.parameters.count, weightDecay: 0) },
                              klController: config.klController, pool: WorkerPool(count: threads))
    }

    static func sequenceLogProb(_ model: Transformer, _ sample: RolloutSample) -> Double {
        let batch = RolloutBatch(samples: [sample], groupIDs: ["g"])
        let window = ScoringWindow(batch: batch, rows: [0], context: model.config.contextLength)
        return window.gather(model.scoreTokens(window.tokenBatch).logProbs).reduce(0, +)
    }

    @Test(arguments: ["grpo", "gae", "rloo"])
    func updatesMakeTheRewardedAnswerMoreLikely(estimator: String) async throws {
        let config = try Self.config(estimator)
        let samples = try await Self.rollouts()
        #expect(samples.map(\.trajectory.outcome.reward) == [1, 0])
        let models = try Self.models(config, critic: estimator == "gae")
        let batch = RolloutBatch(samples: samples, groupIDs: ["q", "q"])
        let before = samples.map { Self.sequenceLogProb(models.policy, $0) }
        var last: [String: Double] = [:]
        for step in 0..<8 { last = PolicyUpdate(config: config).run(batch, models: models, step: step) }
        let after = samples.map { Self.sequenceLogProb(models.policy, $0) }
        #expect(after[0] - before[0] > after[1] - before[1], "\(estimator): right \(before[0])→\(after[0]), wrong \(before[1])→\(after[1])")
        #expect(last["actor/grad_norm"].map { $0 > 0 && $0.isFinite } == true, "\(last)")
        #expect(last["state_tokens/coverage"] == 1)
        if estimator == "gae" { #expect(last["critic/vf_loss"] != nil) }
    }

    @Test func updatesAreDeterministic() async throws {
        let config = try Self.config("grpo")
        let samples = try await Self.rollouts()
        var digests: [String] = []
        for _ in 0..<2 {
            let models = try Self.models(config, critic: false)
            let batch = RolloutBatch(samples: samples, groupIDs: ["q", "q"])
            for step in 0..<3 { _ = PolicyUpdate(config: config).run(batch, models: models, step: step) }
            digests.append(Checkpoint.weightsDigest(models.policy))
        }
        #expect(digests[0] == digests[1])
    }

    /// Two workers split each micro-batch and sum their gradients: the same gradient as one
    /// worker up to float rounding, and the same bits on every run. (Weights are compared only
    /// run against run: AdamW's first steps turn rounding-level gradients into whole steps.)
    @Test(arguments: ["grpo", "gae"])
    func anUpdateOnTwoWorkersMatchesOneWorkersAndRepeatsExactly(estimator: String) async throws {
        let config = try Self.config(estimator)
        let samples = try await Self.rollouts()
        let batch = RolloutBatch(samples: samples, groupIDs: ["q", "q"])
        func update(threads: Int, steps: Int) throws -> (gradient: [Float], critic: [Float], weights: [Float]) {
            let models = try Self.models(config, critic: estimator == "gae", threads: threads)
            for step in 0..<steps { _ = PolicyUpdate(config: config).run(batch, models: models, step: step) }
            return (models.policy.gradients.array, models.critic?.gradients.array ?? [], models.policy.parameters.array)
        }
        let one = try update(threads: 1, steps: 1), two = try update(threads: 2, steps: 1)
        func gap(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
        let scale = one.gradient.map(abs).max()!
        #expect(scale > 0 && gap(one.gradient, two.gradient) < scale * 1e-4, "\(estimator): gradient \(scale), gap \(gap(one.gradient, two.gradient))")
        if estimator == "gae" {
            let criticScale = one.critic.map(abs).max()!
            #expect(criticScale > 0 && gap(one.critic, two.critic) < criticScale * 1e-4)
        }
        #expect(try update(threads: 2, steps: 3).weights == update(threads: 2, steps: 3).weights)
    }

    /// State masking, checked where it matters: the loss's derivatives that reach the policy's
    /// backward pass. On a rollout batch with observations (two searches, answers right and
    /// wrong, so every advantage is non-zero), with `state_masking: true` ∂loss/∂logProb and
    /// ∂loss/∂entropy are exactly 0 at every retrieved token of every micro-batch (and non-zero
    /// at the generated ones); with `state_masking: false` they are non-zero at every retrieved
    /// token. (Replaces a test that only read `state_tokens/coverage`, a metric computed from the
    /// same mask array, so it could not see whether the loss used it.)
    @Test(arguments: [1, 2])
    func retrievedTokensGetExactlyZeroLossGradientWithStateMasking(threads: Int) async throws {
        var policy = ScriptedPolicy(scripts: ["a": ["<search> capital </search>", "<answer> Varnel </answer>"],
                                              "b": ["<search> capital </search>", "<answer> Osk </answer>"]])
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 1, maxObservationTokens: 8, topK: 1), tokenizer: ByteTokenizer(),
                               engine: TwoPassageEngine(), makePrompt: { "Q: \($0.text)\n" })
        let right = Question(id: "a", dataSource: "s", text: "capital?", goldenAnswers: ["Varnel"])
        var wrong = right
        wrong.id = "b"
        let samples = try await loop.run([right, wrong], sequenceIDs: [0, 1], policy: &policy)
        #expect(samples.map(\.trajectory.outcome.reward) == [1, 0])
        let batch = RolloutBatch(samples: samples, groupIDs: ["q", "q"])
        let retrieved = (0..<batch.shape.count).filter { batch.responseMask[$0] == 1 && batch.infoMask[$0] == 0 }
        let generated = (0..<batch.shape.count).filter { batch.infoMask[$0] == 1 }
        #expect(retrieved.count >= 2 * 8, "each row has an observation")

        for masking in [true, false] {
            let config = try Self.config("grpo", extra: [
                "actor_rollout_ref.actor.state_masking=\(masking)", "actor_rollout_ref.actor.use_kl_loss=true",
                "actor_rollout_ref.actor.kl_loss_coef=0.1", "actor_rollout_ref.actor.entropy_coeff=0.01",
                "actor_rollout_ref.actor.ppo_micro_batch_size=2", "actor_rollout_ref.actor.ppo_mini_batch_size=2",
                "actor_rollout_ref.actor.ppo_epochs=2"])
            // Whole-batch (row, t) → the loss's derivatives, over every micro-batch of every epoch.
            let seen = Observed()
            var update = PolicyUpdate(config: config)
            update.lossGradientObserver = { rows, dLogProbs, dEntropy in
                let length = batch.shape.length
                for (r, row) in rows.enumerated() {
                    for t in 0..<length {
                        seen.add(row * length + t, logProb: dLogProbs[r * length + t], entropy: dEntropy[r * length + t])
                    }
                }
            }
            _ = update.run(batch, models: try Self.models(config, critic: false, threads: threads), step: 0)
            #expect(seen.count.count == batch.shape.count && seen.count.values.allSatisfy { $0 == 2 }, "each token once per epoch")
            if masking {
                let leaks = retrieved.filter { seen.logProb[$0] != 0 || seen.entropy[$0] != 0 }
                #expect(leaks.isEmpty, "retrieved tokens with a loss gradient: \(leaks.map { (seen.logProb[$0], seen.entropy[$0]) })")
                #expect(generated.allSatisfy { seen.logProb[$0] != 0 && seen.entropy[$0] != 0 })
            } else {
                #expect(retrieved.allSatisfy { seen.logProb[$0] != 0 && seen.entropy[$0] != 0 })
            }
        }
    }
}

/// The loss derivatives an update reported, summed over its passes (Σ|·|, so opposite signs
/// in two epochs cannot cancel).
final class Observed: @unchecked Sendable {
    var logProb: [Int: Double] = [:], entropy: [Int: Double] = [:], count: [Int: Int] = [:]

    func add(_ k: Int, logProb dl: Double, entropy dh: Double) {
        logProb[k, default: 0] += Swift.abs(dl)
        entropy[k, default: 0] += Swift.abs(dh)
        count[k, default: 0] += 1
    }
}
