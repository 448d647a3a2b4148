// SearchLabPolicy: the decoder-only transformer policy, tokenizer, sampling with a KV
// cache, AdamW, and safetensors checkpoints.

/// Namespace of the policy layer.
public enum Policy {}
