// SearchLabTrainer: the Search-R1 rollout loop and the PPO/GRPO trainer.

/// Namespace of the trainer layer.
///
/// The pure core, each piece pinned to golden vectors from `scripts/reference/rl_reference.py`:
/// - Advantages: ``AdvantageEstimatorKind`` (`algorithm.adv_estimator`) → an
///   ``AdvantageEstimator`` whose ``AdvantageEstimator/estimate(_:)`` maps an
///   ``AdvantageBatch`` to ``Advantages``.
/// - KL: ``KLEstimator`` (per token, with derivative), ``KLRewardPenalty`` (KL in the reward)
///   and ``KLController`` (fixed or adaptive β).
/// - Losses: ``PolicyLoss`` and ``ValueLoss`` return the loss, its exact gradient with respect
///   to log-probs / entropy / values, and metrics; ``LossAggregation`` is verl's `agg_loss`.
/// - Schedules and batches: ``LearningRateSchedule``, ``BatchPreparation``.
/// - Metrics: ``StepMetrics``, ``Masked``.
/// - Config: ``ConfigLoader`` → ``ResolvedConfig`` (provenance) → ``TrainingConfig`` (typed).
///
/// Every per-token array is a flat row-major B×L `[Double]` described by a ``TokenShape``.
public enum Trainer {}
