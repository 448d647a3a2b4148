// SearchLabTrainer: the Search-R1 rollout loop and the PPO/GRPO trainer.

/// Namespace of the trainer layer.
public enum Trainer {}
