// The typed view of a resolved config that the rollout and training loops read.
import SearchLabCore

/// The training config as typed values, grouped like the YAML sections.
public struct TrainingConfig: Hashable, Sendable {
    /// AdamW and schedule settings (`*.optim.*`, `*.grad_clip`).
    public struct Optimizer: Hashable, Sendable {
        /// `optim.lr`, the base learning rate.
        public var lr: Double
        /// `optim.lr_warmup_steps_ratio`.
        public var warmupStepsRatio: Double
        /// `optim.warmup_style` (the critic always uses constant).
        public var warmupStyle: LearningRateSchedule.Style
        /// `optim.min_lr_ratio` (cosine floor).
        public var minLRRatio: Double
        /// `optim.weight_decay` (the critic uses 0.01).
        public var weightDecay: Double
        /// `grad_clip`, the global gradient-norm bound.
        public var gradClip: Double
    }

    /// `actor_rollout_ref.actor.*`.
    public struct Actor: Hashable, Sendable {
        public var optimizer: Optimizer
        /// `ppo_mini_batch_size`, trajectories per optimizer update.
        public var miniBatchSize: Int
        /// `ppo_micro_batch_size`, trajectories per forward/backward.
        public var microBatchSize: Int
        /// `ppo_epochs`.
        public var epochs: Int
        /// `use_kl_loss` (already folded into `loss.klLossCoefficient`).
        public var useKLLoss: Bool
        /// The actor loss's parameters, with clip_ratio_low/high already defaulted to clip_ratio
        /// and the KL-loss weight 0 unless use_kl_loss is on.
        public var loss: PolicyLossParameters
        /// Retrieved-token loss masking (`state_masking`).
        public var stateMasking: Bool
    }

    /// Generation and environment: `actor_rollout_ref.rollout.*`, `data.max_*`, `max_turns`, `do_search`, `retriever.*`.
    public struct Rollout: Hashable, Sendable {
        /// `actor_rollout_ref.rollout.n_agent`, samples per question.
        public var nAgent: Int
        /// `actor_rollout_ref.rollout.temperature`.
        public var temperature: Double
        /// `actor_rollout_ref.rollout.top_p`.
        public var topP: Double
        /// `actor_rollout_ref.rollout.val_kwargs.temperature` (0: greedy).
        public var validationTemperature: Double = 0
        /// `actor_rollout_ref.rollout.val_kwargs.top_p`.
        public var validationTopP: Double = 1
        /// `max_turns`.
        public var maxTurns: Int
        /// `do_search`.
        public var doSearch: Bool

        /// Turns that may search before the final one: `max_turns`, or 0 without search. Then
        /// each question gets one generation, and a search action in it ends the trajectory
        /// with no observation, as Search-R1's final turn (`do_search=False`) treats it.
        public var searchTurns: Int { doSearch ? maxTurns : 0 }
        /// `data.max_prompt_length`.
        public var maxPromptLength: Int
        /// `data.max_response_length`.
        public var maxResponseLength: Int
        /// `data.max_start_length`.
        public var maxStartLength: Int
        /// `data.max_obs_length`.
        public var maxObservationLength: Int
        /// `retriever.engine`.
        public var retrieverEngine: String
        /// `retriever.topk`.
        public var topK: Int
    }

    /// `critic.*` (gae only).
    public struct Critic: Hashable, Sendable {
        public var optimizer: Optimizer
        /// `critic.cliprange_value`.
        public var clipRangeValue: Double
    }

    /// `algorithm.adv_estimator`.
    public var estimator: AdvantageEstimatorKind
    /// `algorithm.gamma`, `algorithm.lam`, `algorithm.norm_adv_by_std_in_grpo`.
    public var advantage: AdvantageParameters
    /// `algorithm.use_kl_in_reward`.
    public var useKLInReward: Bool
    /// `algorithm.kl_penalty`.
    public var klPenalty: KLEstimator
    /// The initial controller of β (a checkpoint stores the evolved one).
    public var klController: KLController
    /// The actor.
    public var actor: Actor
    /// Generation and environment.
    public var rollout: Rollout
    /// The critic.
    public var critic: Critic
    /// `data.train_batch_size`, questions per step.
    public var trainBatchSize: Int
    /// `data.val_batch_size`.
    public var validationBatchSize: Int
    /// `reward_model.scheme`.
    public var rewardScheme: SearchR1Reward.Scheme
    /// `reward_model.{structure_format_score,final_format_score,retrieval_score}`.
    public var rewardWeights: SearchR1Reward.FormatWeights
    /// `trainer.total_training_steps`.
    public var totalTrainingSteps: Int
    /// `trainer.test_freq`; -1: never.
    public var testFrequency: Int
    /// `trainer.save_freq`; -1: never.
    public var saveFrequency: Int
    /// `trainer.val_before_train`.
    public var validateBeforeTraining: Bool
    /// `trainer.critic_warmup`.
    public var criticWarmupSteps: Int
    /// `trainer.seed`.
    public var seed: UInt64
    /// `trainer.threads`: workers of the run's ``WorkerPool``.
    public var threads: Int
    /// `policy.config` (tiny, small, base): the size the base checkpoint must have; nil for any.
    public var policyPreset: String?
    /// `policy.checkpoint`.
    public var policyCheckpoint: String?
    /// `world.dir`.
    public var worldDirectory: String?
    /// `compat.uid_per_source_index`.
    public var uidPerSourceIndex: Bool

    /// Reads the typed view and checks the rules that relate keys to each other.
    /// - Throws: ``SearchLabError`` naming the keys involved.
    public init(_ c: ResolvedConfig) throws {
        let a = "actor_rollout_ref.actor."
        estimator = try AdvantageEstimatorKind.named(c[string: "algorithm.adv_estimator"])
        advantage = AdvantageParameters(gamma: c[number: "algorithm.gamma"], lambda: c[number: "algorithm.lam"],
                                        normalizeByStd: c[bool: "algorithm.norm_adv_by_std_in_grpo"])
        useKLInReward = c[bool: "algorithm.use_kl_in_reward"]
        klPenalty = try KLEstimator.named(c[string: "algorithm.kl_penalty"])
        klController = KLController(kind: try KLControllerKind.named(c[string: "algorithm.kl_ctrl.type"]),
                                    coefficient: c[number: "algorithm.kl_ctrl.kl_coef"],
                                    targetKL: c[number: "algorithm.kl_ctrl.target_kl"],
                                    horizon: c[number: "algorithm.kl_ctrl.horizon"])
        var loss = PolicyLossParameters()
        let clip = c[number: a + "clip_ratio"]
        loss.clipRatioLow = c[optionalNumber: a + "clip_ratio_low"] ?? clip
        loss.clipRatioHigh = c[optionalNumber: a + "clip_ratio_high"] ?? clip
        loss.clipRatioC = c[optionalNumber: a + "clip_ratio_c"]
        loss.entropyCoefficient = c[number: a + "entropy_coeff"]
        let useKLLoss = c[bool: a + "use_kl_loss"]
        loss.klLossCoefficient = useKLLoss ? c[number: a + "kl_loss_coef"] : 0
        loss.klLossType = try KLEstimator.named(c[string: a + "kl_loss_type"])
        loss.aggregation = LossAggregation(try LossAggregationMode.named(c[string: a + "loss_agg_mode"]),
                                           scaleFactor: c[optionalNumber: a + "loss_scale_factor"]
                                               ?? Double(c[integer: "data.max_response_length"]))
        actor = Actor(optimizer: TrainingConfig.optimizer(c, prefix: a + "optim.", gradClip: c[number: a + "grad_clip"]),
                      miniBatchSize: c[integer: a + "ppo_mini_batch_size"], microBatchSize: c[integer: a + "ppo_micro_batch_size"],
                      epochs: c[integer: a + "ppo_epochs"], useKLLoss: useKLLoss, loss: loss,
                      stateMasking: c[bool: a + "state_masking"])
        rollout = Rollout(nAgent: c[integer: "actor_rollout_ref.rollout.n_agent"],
                          temperature: c[number: "actor_rollout_ref.rollout.temperature"],
                          topP: c[number: "actor_rollout_ref.rollout.top_p"],
                          validationTemperature: c[number: "actor_rollout_ref.rollout.val_kwargs.temperature"],
                          validationTopP: c[number: "actor_rollout_ref.rollout.val_kwargs.top_p"], maxTurns: c[integer: "max_turns"],
                          doSearch: c[bool: "do_search"], maxPromptLength: c[integer: "data.max_prompt_length"],
                          maxResponseLength: c[integer: "data.max_response_length"],
                          maxStartLength: c[integer: "data.max_start_length"],
                          maxObservationLength: c[integer: "data.max_obs_length"],
                          retrieverEngine: c[string: "retriever.engine"], topK: c[integer: "retriever.topk"])
        critic = Critic(optimizer: TrainingConfig.optimizer(c, prefix: "critic.optim.", gradClip: c[number: "critic.grad_clip"]),
                        clipRangeValue: c[number: "critic.cliprange_value"])
        trainBatchSize = c[integer: "data.train_batch_size"]
        validationBatchSize = c[integer: "data.val_batch_size"]
        rewardScheme = try SearchR1Reward.Scheme(rawValue: c[string: "reward_model.scheme"]).orThrow("reward_model.scheme")
        rewardWeights = SearchR1Reward.FormatWeights(structureFormatScore: c[number: "reward_model.structure_format_score"],
                                                     finalFormatScore: c[number: "reward_model.final_format_score"],
                                                     retrievalScore: c[number: "reward_model.retrieval_score"])
        totalTrainingSteps = c[integer: "trainer.total_training_steps"]
        testFrequency = c[integer: "trainer.test_freq"]
        saveFrequency = c[integer: "trainer.save_freq"]
        validateBeforeTraining = c[bool: "trainer.val_before_train"]
        criticWarmupSteps = c[integer: "trainer.critic_warmup"]
        seed = UInt64(c[integer: "trainer.seed"])
        threads = c[integer: "trainer.threads"]
        policyPreset = c[optionalString: "policy.config"]
        policyCheckpoint = c[optionalString: "policy.checkpoint"]
        worldDirectory = c[optionalString: "world.dir"]
        uidPerSourceIndex = c[bool: "compat.uid_per_source_index"]
        try checkRelations()
    }

    private static func optimizer(_ c: ResolvedConfig, prefix: String, gradClip: Double) -> Optimizer {
        let has = { (key: String) in TrainingConfigSchema.key(prefix + key) != nil }
        return Optimizer(lr: c[number: prefix + "lr"], warmupStepsRatio: c[number: prefix + "lr_warmup_steps_ratio"],
                         warmupStyle: has("warmup_style") ? (try? .named(c[string: prefix + "warmup_style"])) ?? .constant : .constant,
                         minLRRatio: has("min_lr_ratio") ? c[number: prefix + "min_lr_ratio"] : 0,
                         weightDecay: has("weight_decay") ? c[number: prefix + "weight_decay"] : 0.01,
                         gradClip: gradClip)
    }

    /// Rules between keys, each error naming them.
    private func checkRelations() throws {
        let rows = trainBatchSize * rollout.nAgent
        if actor.miniBatchSize > rows {
            throw SearchLabError("actor_rollout_ref.actor.ppo_mini_batch_size (\(actor.miniBatchSize)) exceeds the "
                                 + "trajectories per step, data.train_batch_size × rollout.n_agent (\(rows))")
        }
        if actor.microBatchSize > actor.miniBatchSize {
            throw SearchLabError("actor_rollout_ref.actor.ppo_micro_batch_size (\(actor.microBatchSize)) exceeds "
                                 + "ppo_mini_batch_size (\(actor.miniBatchSize))")
        }
        if actor.miniBatchSize % actor.microBatchSize != 0 {
            throw SearchLabError("actor_rollout_ref.actor.ppo_mini_batch_size (\(actor.miniBatchSize)) must be a multiple of "
                                 + "ppo_micro_batch_size (\(actor.microBatchSize)), so every update accumulates whole micro-batches")
        }
        if rollout.maxStartLength > rollout.maxPromptLength {
            throw SearchLabError("data.max_start_length (\(rollout.maxStartLength)) exceeds data.max_prompt_length "
                                 + "(\(rollout.maxPromptLength))")
        }
    }

    /// The actor's schedule: ⌊ratio · total⌋ warm-up steps (verl's `int(ratio * total_steps)`).
    public var actorSchedule: LearningRateSchedule { schedule(actor.optimizer) }

    /// The critic's schedule.
    public var criticSchedule: LearningRateSchedule { schedule(critic.optimizer) }

    private func schedule(_ o: Optimizer) -> LearningRateSchedule {
        LearningRateSchedule(style: o.warmupStyle, warmupSteps: Int(o.warmupStepsRatio * Double(totalTrainingSteps)),
                             totalSteps: totalTrainingSteps, minLRRatio: o.minLRRatio)
    }
}

extension Optional {
    fileprivate func orThrow(_ key: String) throws -> Wrapped {
        guard let self else { throw SearchLabError("\(key): not a known value") }
        return self
    }
}
