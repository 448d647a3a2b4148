import Foundation
import SearchLabCore
@testable import SearchLabPolicy
import SearchLabTensor
@testable import SearchLabTrainer
import Testing

/// Every documented key does something: changing it changes the typed config the loops read
/// (no key is parsed and dropped), and each key of the update changes what one update step
/// computes (weights or metrics). A new schema key without an entry here fails the suite.
struct ConfigKeyEffectTests {
    /// Per key: the overrides that make it matter, and another value than the default's.
    static let alternatives: [String: (context: [String], value: String)] = [
        "algorithm.adv_estimator": ([], "rloo"),
        "algorithm.gamma": (["algorithm.adv_estimator=gae"], "0.5"),
        "algorithm.lam": (["algorithm.adv_estimator=gae"], "0.5"),
        "algorithm.norm_adv_by_std_in_grpo": ([], "false"),
        "algorithm.use_kl_in_reward": ([], "true"),
        "algorithm.kl_penalty": (["algorithm.use_kl_in_reward=true"], "abs"),
        "algorithm.kl_ctrl.type": (["algorithm.use_kl_in_reward=true"], "adaptive"),
        "algorithm.kl_ctrl.kl_coef": (["algorithm.use_kl_in_reward=true"], "0.5"),
        "algorithm.kl_ctrl.target_kl": (["algorithm.use_kl_in_reward=true", "algorithm.kl_ctrl.type=adaptive"], "0.000000001"),
        "algorithm.kl_ctrl.horizon": (["algorithm.use_kl_in_reward=true", "algorithm.kl_ctrl.type=adaptive"], "5"),
        "actor_rollout_ref.actor.optim.lr": ([], "0.01"),
        "actor_rollout_ref.actor.optim.lr_warmup_steps_ratio": ([], "0.5"),
        "actor_rollout_ref.actor.optim.warmup_style": ([], "cosine"),
        "actor_rollout_ref.actor.optim.min_lr_ratio": (["actor_rollout_ref.actor.optim.warmup_style=cosine"], "0.5"),
        "actor_rollout_ref.actor.optim.weight_decay": ([], "0.5"),
        "actor_rollout_ref.actor.ppo_mini_batch_size": ([], "4"),
        "actor_rollout_ref.actor.ppo_micro_batch_size": ([], "2"),
        "actor_rollout_ref.actor.ppo_epochs": ([], "2"),
        "actor_rollout_ref.actor.clip_ratio": ([], "0.001"),
        "actor_rollout_ref.actor.clip_ratio_low": ([], "0.001"),
        "actor_rollout_ref.actor.clip_ratio_high": ([], "0.001"),
        "actor_rollout_ref.actor.clip_ratio_c": (["actor_rollout_ref.actor.clip_ratio=0.001"], "1.01"),
        "actor_rollout_ref.actor.entropy_coeff": ([], "0.5"),
        "actor_rollout_ref.actor.use_kl_loss": (["actor_rollout_ref.actor.kl_loss_coef=0.5"], "true"),
        "actor_rollout_ref.actor.kl_loss_coef": (["actor_rollout_ref.actor.use_kl_loss=true"], "0.5"),
        "actor_rollout_ref.actor.kl_loss_type": (["actor_rollout_ref.actor.use_kl_loss=true", "actor_rollout_ref.actor.kl_loss_coef=0.5"], "mse"),
        "actor_rollout_ref.actor.loss_agg_mode": ([], "seq-mean-token-sum"),
        "actor_rollout_ref.actor.loss_scale_factor": (["actor_rollout_ref.actor.loss_agg_mode=seq-mean-token-sum-norm"], "7"),
        "actor_rollout_ref.actor.grad_clip": ([], "0.001"),
        "actor_rollout_ref.actor.state_masking": ([], "false"),
        "actor_rollout_ref.rollout.n_agent": ([], "3"),
        "actor_rollout_ref.rollout.temperature": ([], "0.5"),
        "actor_rollout_ref.rollout.top_p": ([], "0.5"),
        "actor_rollout_ref.rollout.val_kwargs.temperature": ([], "0.7"),
        "actor_rollout_ref.rollout.val_kwargs.top_p": (["actor_rollout_ref.rollout.val_kwargs.temperature=1"], "0.5"),
        "critic.optim.lr": (["algorithm.adv_estimator=gae"], "0.01"),
        "critic.optim.lr_warmup_steps_ratio": (["algorithm.adv_estimator=gae"], "0.5"),
        "critic.cliprange_value": (["algorithm.adv_estimator=gae", "critic.optim.lr=0.05"], "0.001"),
        "critic.grad_clip": (["algorithm.adv_estimator=gae"], "0.001"),
        "data.train_batch_size": ([], "3"),
        "data.val_batch_size": ([], "3"),
        "data.max_prompt_length": ([], "300"),
        "data.max_response_length": ([], "30"),
        "data.max_start_length": ([], "100"),
        "data.max_obs_length": ([], "30"),
        "max_turns": ([], "1"),
        "do_search": ([], "false"),
        "retriever.engine": ([], "random"),
        "retriever.topk": ([], "1"),
        "reward_model.scheme": ([], "subem"),
        "reward_model.structure_format_score": (["reward_model.scheme=format"], "0.2"),
        "reward_model.final_format_score": (["reward_model.scheme=format"], "0.1"),
        "reward_model.retrieval_score": (["reward_model.scheme=format"], "0.1"),
        "trainer.total_training_steps": ([], "7"),
        "trainer.test_freq": ([], "2"),
        "trainer.save_freq": ([], "2"),
        "trainer.val_before_train": ([], "false"),
        "trainer.critic_warmup": (["algorithm.adv_estimator=gae"], "10"),
        "trainer.seed": ([], "9"),
        "trainer.threads": ([], "1"),
        "policy.config": ([], "tiny"),
        "policy.checkpoint": ([], "/base"),
        "world.dir": ([], "/world"),
        "compat.uid_per_source_index": ([], "true"),
    ]

    /// The keys whose effect one update step shows: the rest act on rollouts, data, storage
    /// or run setup, which the CLI tests (TrainPipelineTests, TrainResumeTests) cover.
    static let updateKeys: Set<String> = Set(alternatives.keys.filter {
        $0.hasPrefix("algorithm.") || $0.hasPrefix("actor_rollout_ref.actor.") || $0.hasPrefix("critic.")
    }).union(["trainer.critic_warmup", "trainer.seed"])

    /// Small batches (4 rows, 2 mini-batches, 20 steps) so that every update key can bite.
    static let base = [
        "algorithm.adv_estimator=grpo", "data.train_batch_size=2", "actor_rollout_ref.rollout.n_agent=2",
        "actor_rollout_ref.actor.ppo_mini_batch_size=2", "actor_rollout_ref.actor.ppo_micro_batch_size=1",
        "actor_rollout_ref.actor.optim.lr=0.003", "trainer.total_training_steps=20", "critic.optim.lr=0.003",
    ]

    static func resolve(_ overrides: [String]) throws -> TrainingConfig {
        try TrainingConfig(ConfigLoader.resolve(file: nil, overrides: base + overrides))
    }

    @Test func everySchemaKeyHasAnEntry() {
        let missing = TrainingConfigSchema.keys.map(\.name).filter { Self.alternatives[$0] == nil }
        #expect(missing.isEmpty, "keys without an effect test: \(missing)")
        let stale = Self.alternatives.keys.filter { TrainingConfigSchema.key($0) == nil }.sorted()
        #expect(stale.isEmpty, "entries for keys the schema no longer has: \(stale)")
    }

    /// Validation and eval sample as val_kwargs say (greedy by default), the rollouts as theirs.
    @Test func valKwargsAreTheValidationSampling() throws {
        let greedy = try Self.resolve([]).validationSettings
        #expect(greedy.temperature == 0 && greedy.topP == 1)
        let sampled = try Self.resolve(["actor_rollout_ref.rollout.val_kwargs.temperature=0.7", "actor_rollout_ref.rollout.val_kwargs.top_p=0.9"])
        #expect(sampled.validationSettings.temperature == 0.7 && sampled.validationSettings.topP == 0.9)
        #expect(sampled.validationSettings.sampling.temperature == 0.7 && sampled.rolloutSampling.temperature == 1)
    }

    @Test(arguments: TrainingConfigSchema.keys.map(\.name))
    func changingTheKeyChangesTheTypedConfig(key: String) throws {
        let entry = try #require(Self.alternatives[key])
        let before = try Self.resolve(entry.context)
        let after = try Self.resolve(entry.context + ["\(key)=\(entry.value)"])
        #expect(before != after, "\(key)=\(entry.value) leaves the typed config unchanged")
    }

    /// Four rows: two questions × two samples, one right and one wrong per group, each
    /// searching once so that state masking has retrieved tokens to act on.
    static func batch() async throws -> RolloutBatch {
        var policy = ScriptedPolicy(scripts: [
            "a": ["<search> capital </search>", "<answer> Varnel </answer>"], "b": ["<search> capital </search>", "<answer> Osk </answer>"],
            "c": ["<search> Osk </search>", "<answer> Varnel </answer>"], "d": ["<search> Osk </search>", "<answer> no </answer>"],
        ])
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 1, maxObservationTokens: 12, topK: 1), tokenizer: ByteTokenizer(),
                               engine: TwoPassageEngine(), makePrompt: { "Q: \($0.text)\n" })
        let questions = ["a", "b", "c", "d"].map { Question(id: $0, dataSource: "s", text: "capital?", goldenAnswers: ["Varnel"]) }
        let samples = try await loop.run(questions, sequenceIDs: [0, 1, 2, 3], policy: &policy)
        return RolloutBatch(samples: samples, groupIDs: ["q1", "q1", "q2", "q2"])
    }

    /// The models a run starts with, built by the trainer's own code from a fixed tiny policy.
    static func models(_ config: TrainingConfig) throws -> TrainingModels {
        let tokenizer = try Tokenizer.build(corpus: ["Varnel Osk"], vocabSize: 300, minCount: 1)
        let policy = try Transformer(config: .tiny(vocabSize: 256 + 12 + 20))
        policy.initialize(seed: 3)
        let initial = Checkpoint.Loaded(model: policy, tokenizer: tokenizer, optimizer: nil, trainerState: nil, digest: "")
        return try TrainingRun.makeModels(config: config, initial: initial, latest: nil, checkpoints: URL(fileURLWithPath: "/nonexistent"))
    }

    /// Weights (policy and critic) and metrics after three updates, at steps 5 to 7 (an adaptive
    /// β moved by step 6's KL first shows at step 7).
    static func outcome(_ config: TrainingConfig, batch: RolloutBatch) throws -> String {
        let models = try Self.models(config)
        var metrics: [String: Double] = [:]
        for step in 5..<8 { metrics = PolicyUpdate(config: config).run(batch, models: models, step: step) }
        let named = metrics.keys.sorted().map { "\($0)=\(metrics[$0]!)" }.joined(separator: " ")
        return Checkpoint.weightsDigest(models.policy) + " " + (models.critic.map(Checkpoint.weightsDigest) ?? "-") + " " + named
    }

    @Test(arguments: updateKeys.sorted())
    func changingAnUpdateKeyChangesTheUpdate(key: String) async throws {
        let entry = try #require(Self.alternatives[key])
        let batch = try await Self.batch()
        let before = try Self.outcome(try Self.resolve(entry.context), batch: batch)
        let after = try Self.outcome(try Self.resolve(entry.context + ["\(key)=\(entry.value)"]), batch: batch)
        #expect(before != after, "\(key)=\(entry.value) leaves the update unchanged")
    }

    /// `critic.grad_clip` bounds the critic, `actor_rollout_ref.actor.grad_clip` the actor:
    /// each leaves the other model's weights alone.
    @Test func eachGradClipBoundsItsOwnModel() async throws {
        let batch = try await Self.batch()
        func weights(_ extra: [String]) throws -> (actor: String, critic: String) {
            let config = try Self.resolve(["algorithm.adv_estimator=gae"] + extra)
            let models = try Self.models(config)
            _ = PolicyUpdate(config: config).run(batch, models: models, step: 5)
            return (Checkpoint.weightsDigest(models.policy), Checkpoint.weightsDigest(models.critic!))
        }
        let plain = try weights([]), criticClipped = try weights(["critic.grad_clip=0.001"])
        let actorClipped = try weights(["actor_rollout_ref.actor.grad_clip=0.001"])
        #expect(criticClipped.actor == plain.actor && criticClipped.critic != plain.critic)
        #expect(actorClipped.critic == plain.critic && actorClipped.actor != plain.actor)
    }
}
