import SearchLabCore
import SearchLabPolicy
import SearchLabTensor
import SearchLabTrainer
import Testing

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

    @Test func observationTokensAreOutOfTheLossWithStateMasking() async throws {
        var policy = ScriptedPolicy(scripts: ["a": ["<search> capital </search>", "<answer> Varnel </answer>"]])
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 1, maxObservationTokens: 8, topK: 1), tokenizer: ByteTokenizer(),
                               engine: TwoPassageEngine(), makePrompt: { "Q: \($0.text)\n" })
        let q = Question(id: "a", dataSource: "s", text: "capital?", goldenAnswers: ["Varnel"])
        let samples = try await loop.run([q], sequenceIDs: [0], policy: &policy)
        let batch = RolloutBatch(samples: samples, groupIDs: ["q"])
        for masking in [true, false] {
            let config = try Self.config("grpo", extra: ["actor_rollout_ref.actor.state_masking=\(masking)"])
            let metrics = PolicyUpdate(config: config).run(batch, models: try Self.models(config, critic: false), step: 0)
            let coverage = try #require(metrics["state_tokens/coverage"])
            if masking { #expect(coverage < 1) } else { #expect(coverage == 1) }
        }
    }
}
