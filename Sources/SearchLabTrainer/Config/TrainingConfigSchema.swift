// Every key `searchlab train` reads, with its default. Names follow verl / Search-R1
// (`verl/trainer/config/ppo_trainer.yaml` of the Search-R1 fork) where the setting exists
// there; defaults are that file's unless the summary says otherwise. docs/config.md is
// generated from this list (`searchlab config docs`).
import SearchLabCore

/// The training-config schema.
public enum TrainingConfigSchema {
    /// All keys, in the order the reference lists them.
    public static let keys: [ConfigKey] = groups.flatMap(\.keys)

    /// The keys by topic, as docs/config.md presents them.
    public static let groups: [(title: String, keys: [ConfigKey])] = [
        ("Algorithm: advantages and KL in the reward", algorithm),
        ("Actor: optimizer and loss", actor),
        ("Rollout", rollout),
        ("Critic (gae only)", critic),
        ("Data: batch sizes and length limits", data),
        ("Environment: search and reward", environment),
        ("Trainer: schedule and seed", trainer),
        ("SearchLab", searchLab),
    ]

    static let algorithm: [ConfigKey] = [
        ConfigKey("algorithm.adv_estimator", .choice(AdvantageEstimatorKind.names), .string("gae"), nil,
                  "Advantage estimator; gae trains a critic, the others are critic-free."),
        ConfigKey("algorithm.gamma", .number, .number(1), .unitInterval, "Discount γ (GAE, REINFORCE++)."),
        ConfigKey("algorithm.lam", .number, .number(1), .unitInterval, "GAE trace decay λ."),
        ConfigKey("algorithm.norm_adv_by_std_in_grpo", .bool, .bool(true), nil,
                  "Divide GRPO advantages by the group std; false is the Dr.GRPO form (verl)."),
        ConfigKey("algorithm.use_kl_in_reward", .bool, .bool(false), nil,
                  "Subtract β·KL(old‖ref) from the token rewards, PPO style (verl; Search-R1 does this whenever use_kl_loss is off)."),
        ConfigKey("algorithm.kl_penalty", .choice(KLEstimator.names), .string("kl"), nil, "KL estimator of the in-reward penalty."),
        ConfigKey("algorithm.kl_ctrl.type", .choice(KLControllerKind.names), .string("fixed"), nil,
                  "Controller of β for KL in the reward."),
        ConfigKey("algorithm.kl_ctrl.kl_coef", .number, .number(0.001), .nonNegative, "Initial β."),
        ConfigKey("algorithm.kl_ctrl.target_kl", .number, .number(0.1), .positive, "Target KL of the adaptive controller (verl)."),
        ConfigKey("algorithm.kl_ctrl.horizon", .integer, .integer(10_000), .atLeastOne, "Horizon of the adaptive controller (verl)."),
    ]

    static let actor: [ConfigKey] = [
        ConfigKey("actor_rollout_ref.actor.optim.lr", .number, .number(1e-6), .positive, "Actor learning rate (AdamW)."),
        ConfigKey("actor_rollout_ref.actor.optim.lr_warmup_steps_ratio", .number, .number(0), .unitInterval,
                  "Fraction of total_training_steps spent warming the actor lr up linearly from 0."),
        ConfigKey("actor_rollout_ref.actor.optim.warmup_style", .choice(LearningRateSchedule.Style.names), .string("constant"), nil,
                  "Schedule after warm-up: constant, or cosine decay to min_lr_ratio·lr."),
        ConfigKey("actor_rollout_ref.actor.optim.min_lr_ratio", .number, .number(0), .unitInterval,
                  "Floor of the cosine schedule, as a fraction of lr."),
        ConfigKey("actor_rollout_ref.actor.optim.weight_decay", .number, .number(0.01), .nonNegative, "AdamW weight decay (verl)."),
        ConfigKey("actor_rollout_ref.actor.ppo_mini_batch_size", .integer, .integer(256), .atLeastOne,
                  "Trajectories per optimizer update (not scaled by n_agent, as in Search-R1)."),
        ConfigKey("actor_rollout_ref.actor.ppo_micro_batch_size", .integer, .integer(64), .atLeastOne,
                  "Trajectories per forward/backward pass; gradients accumulate over a mini-batch."),
        ConfigKey("actor_rollout_ref.actor.ppo_epochs", .integer, .integer(1), .atLeastOne, "Passes over each batch."),
        ConfigKey("actor_rollout_ref.actor.clip_ratio", .number, .number(0.2), .unitInterval, "PPO clip ε."),
        ConfigKey("actor_rollout_ref.actor.clip_ratio_low", .optional(.number), .null, .unitInterval,
                  "ε_low (ratio ≥ 1 − ε_low); null uses clip_ratio (verl)."),
        ConfigKey("actor_rollout_ref.actor.clip_ratio_high", .optional(.number), .null, .nonNegative,
                  "ε_high (ratio ≤ 1 + ε_high); null uses clip_ratio (verl)."),
        ConfigKey("actor_rollout_ref.actor.clip_ratio_c", .optional(.number), .null, .greaterThanOne,
                  "Dual-clip bound c for negative advantages; null disables it as in Search-R1 (verl's default is 3.0)."),
        ConfigKey("actor_rollout_ref.actor.entropy_coeff", .number, .number(0.001), .nonNegative, "Entropy bonus weight."),
        ConfigKey("actor_rollout_ref.actor.use_kl_loss", .bool, .bool(false), nil, "Add kl_loss_coef·KL(π‖ref) to the loss (GRPO style)."),
        ConfigKey("actor_rollout_ref.actor.kl_loss_coef", .number, .number(0.001), .nonNegative, "Weight of the KL loss."),
        ConfigKey("actor_rollout_ref.actor.kl_loss_type", .choice(KLEstimator.names), .string("low_var_kl"), nil,
                  "KL estimator of the KL loss."),
        ConfigKey("actor_rollout_ref.actor.loss_agg_mode", .choice(LossAggregationMode.names), .string("token-mean"), nil,
                  "How per-token losses are averaged (verl)."),
        ConfigKey("actor_rollout_ref.actor.loss_scale_factor", .optional(.number), .null, .positive,
                  "Divisor of seq-mean-token-sum-norm; null uses data.max_response_length, a constant as Dr.GRPO intends (verl uses the padded batch length)."),
        ConfigKey("actor_rollout_ref.actor.grad_clip", .number, .number(1), .positive, "Global gradient-norm clip of the actor."),
        ConfigKey("actor_rollout_ref.actor.state_masking", .bool, .bool(true), nil,
                  "Exclude retrieved (information) tokens from the actor loss; on as in every Search-R1 script (the yaml says false)."),
    ]

    static let rollout: [ConfigKey] = [
        ConfigKey("actor_rollout_ref.rollout.n_agent", .integer, .integer(1), .atLeastOne, "Samples per prompt (GRPO group size)."),
        ConfigKey("actor_rollout_ref.rollout.temperature", .number, .number(1), .positive, "Sampling temperature."),
        ConfigKey("actor_rollout_ref.rollout.top_p", .number, .number(0.95), .unitInterval, "Nucleus sampling mass."),
        ConfigKey("actor_rollout_ref.rollout.val_kwargs.temperature", .number, .number(0), .nonNegative,
                  "Validation (and eval) sampling temperature; 0 decodes greedily (verl's val_kwargs; Search-R1 validates with do_sample off)."),
        ConfigKey("actor_rollout_ref.rollout.val_kwargs.top_p", .number, .number(1), .unitInterval,
                  "Validation (and eval) nucleus sampling mass, when val_kwargs.temperature samples."),
    ]

    static let critic: [ConfigKey] = [
        ConfigKey("critic.optim.lr", .number, .number(1e-5), .positive, "Critic learning rate (gae only)."),
        ConfigKey("critic.optim.lr_warmup_steps_ratio", .number, .number(0), .unitInterval, "Critic warm-up fraction."),
        ConfigKey("critic.cliprange_value", .number, .number(0.5), .positive, "Value clip range around the rollout-time values."),
        ConfigKey("critic.grad_clip", .number, .number(1), .positive, "Global gradient-norm clip of the critic."),
    ]

    static let data: [ConfigKey] = [
        ConfigKey("data.train_batch_size", .integer, .integer(1024), .atLeastOne, "Prompts per training step. Each epoch is a seeded shuffle cut into ⌊train questions / batch⌋ whole batches; the rest of that epoch's order is skipped, so no batch mixes two epochs (verl's drop_last)."),
        ConfigKey("data.val_batch_size", .integer, .integer(1312), .atLeastOne, "Prompts per validation batch."),
        ConfigKey("data.max_prompt_length", .integer, .integer(512), .atLeastOne, "Context limit (tokens) of the rolling prompt; at most the model's context."),
        ConfigKey("data.max_response_length", .integer, .integer(512), .atLeastOne, "New tokens per generation turn (vLLM max_tokens in Search-R1); every turn of a trajectory may write this many."),
        ConfigKey("data.max_start_length", .integer, .integer(256), .atLeastOne, "Tokens of the initial prompt (its last ones are kept); at most the model's context."),
        ConfigKey("data.max_obs_length", .integer, .integer(512), .atLeastOne, "Tokens of one observation (retrieved text)."),
    ]

    static let environment: [ConfigKey] = [
        ConfigKey("max_turns", .integer, .integer(10), .nonNegative, "Search turns before the final answer-only turn."),
        ConfigKey("do_search", .bool, .bool(true), nil,
                  "Run the search engine; false is the no-search ablation: one generation per question, where a search action ends the trajectory without an observation (Search-R1's final-turn rule)."),
        ConfigKey("retriever.engine", .string, .string("bm25"), nil, "Search engine name (SearchLab's engines layer)."),
        ConfigKey("retriever.topk", .integer, .integer(3), .atLeastOne, "Passages per search."),
        ConfigKey("reward_model.scheme", .choice(SearchR1Reward.Scheme.allCases.map(\.rawValue)), .string("em"), nil,
                  "Reward: em, subem, or the format-aware reward."),
        ConfigKey("reward_model.structure_format_score", .number, .number(0), nil, "λf of the format reward."),
        ConfigKey("reward_model.final_format_score", .number, .number(0), nil, "λff of the format reward."),
        ConfigKey("reward_model.retrieval_score", .number, .number(0), nil, "λr of the format reward."),
    ]

    static let trainer: [ConfigKey] = [
        ConfigKey("trainer.total_training_steps", .integer, .integer(1005), .atLeastOne, "Training steps (Search-R1 scripts: 1005). The one key --resume lets change, to extend or shorten a run; the learning-rate schedule then follows the new total."),
        ConfigKey("trainer.test_freq", .integer, .integer(-1), .neverOrPositive, "Validate every k steps; -1 never."),
        ConfigKey("trainer.save_freq", .integer, .integer(-1), .neverOrPositive, "Checkpoint every k steps; -1: no periodic checkpoint. The last step, and a --max-steps or --max-minutes stop, always save one (so eval and replay have it)."),
        ConfigKey("trainer.val_before_train", .bool, .bool(true), nil, "Validate once before the first step (Search-R1 scripts): stored as step 0's val/* metrics, in place of the validation after that step's update."),
        ConfigKey("trainer.critic_warmup", .integer, .integer(0), .nonNegative, "Steps that train only the critic (verl)."),
        ConfigKey("trainer.seed", .integer, .integer(0), .nonNegative, "Seed of every random stream of the run (SearchLab)."),
        ConfigKey("trainer.threads", .integer, .integer(2), .atLeastOne,
                  "Workers that generate, score and update side by side, each with one OpenBLAS thread (SearchLab). It fixes how batches are split, so results depend on it and not on the machine: with fewer cores the workers take turns."),
    ]

    static let searchLab: [ConfigKey] = [
        ConfigKey("policy.config", .optional(.choice(["tiny", "small", "base"])), .null, nil,
                  "The base policy's size preset, checked against the model in policy.checkpoint (a mismatch is an error); null takes the checkpoint's size (SearchLab)."),
        ConfigKey("policy.checkpoint", .optional(.string), .null, nil,
                  "Base-policy checkpoint from `searchlab pretrain`; `train` needs one (SearchLab)."),
        ConfigKey("world.dir", .optional(.string), .null, nil, "The simulated world's directory (SearchLab)."),
        ConfigKey("compat.uid_per_source_index", .bool, .bool(false), nil,
                  "Group GRPO samples by the per-source row index, reproducing upstream's uid collision across data sources (SearchLab)."),
    ]

    /// The key named `name`.
    public static func key(_ name: String) -> ConfigKey? { index[name] }

    static let index: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })

    /// Every dotted prefix of a key (`algorithm`, `algorithm.kl_ctrl`, …), for telling a section
    /// from an unknown key.
    static let sections: Set<String> = Set(keys.flatMap { key -> [String] in
        let parts = key.name.split(separator: ".")
        return (1..<max(parts.count, 1)).map { parts[0..<$0].joined(separator: ".") }
    })
}
