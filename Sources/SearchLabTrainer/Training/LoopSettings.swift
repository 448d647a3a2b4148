// The settings of Search-R1's loop as one training config names them, in one place: the
// training rollouts, the run's validation and `searchlab eval --config` all read them from
// here, so an evaluation under a run's config scores exactly as that run's validation did.
import SearchLabCore

extension TrainingConfig {
    /// The rollout loop's limits: turns (none when `do_search` is off), observation tokens,
    /// the rolling context (`data.max_prompt_length`), the kept prompt and documents per search.
    public var rolloutSettings: RolloutSettings {
        RolloutSettings(maxTurns: rollout.searchTurns, maxObservationTokens: rollout.maxObservationLength,
                        contextLimit: rollout.maxPromptLength, maxStartTokens: rollout.maxStartLength,
                        topK: rollout.topK)
    }

    /// The run's validation (and `searchlab eval`): `val_kwargs` sampling (greedy by default),
    /// `data.max_response_length` new tokens per turn, exact match, sequences keyed by `trainer.seed`.
    public var validationSettings: EvaluationSettings {
        EvaluationSettings(rollout: rolloutSettings, maxNewTokens: rollout.maxResponseLength, temperature: rollout.validationTemperature,
                           topP: rollout.validationTopP, seed: seed, scoring: ScoringOptions(scheme: .em))
    }

    /// The training rollouts' sampling, as each trajectory's provenance records it.
    public var rolloutSampling: SamplingSettings {
        SamplingSettings(temperature: rollout.temperature, topP: rollout.topP, maxTokensPerTurn: rollout.maxResponseLength,
                         maxTurns: rollout.searchTurns, maxObservationTokens: rollout.maxObservationLength,
                         contextLimit: rollout.maxPromptLength)
    }
}

extension EvaluationSettings {
    /// What a trajectory's provenance records of these settings (replay re-runs from it).
    public var sampling: SamplingSettings {
        SamplingSettings(temperature: temperature, topP: topP, maxTokensPerTurn: maxNewTokens, maxTurns: rollout.maxTurns,
                         maxObservationTokens: rollout.maxObservationTokens, contextLimit: rollout.contextLimit)
    }

    /// `searchlab eval` without `--config`: a quick look at a checkpoint, not a run's
    /// validation. The limits suit the `small` and `base` presets' short agent turns (about
    /// 30 tokens, so 48 new tokens per turn; 100 tokens of each observation), the rolling
    /// context leaves 32 tokens of the model's window for the next turn, three search turns.
    /// As config keys over the defaults, so the evaluation is stored and replayed as any run is.
    public static func quickLookOverrides(contextLength: Int) -> [String] {
        ["data.max_response_length=48", "data.max_obs_length=100", "data.max_prompt_length=\(contextLength - 32)",
         "data.max_start_length=\(contextLength - 32)", "max_turns=3"]
    }
}
