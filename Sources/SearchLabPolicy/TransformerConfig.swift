// The shape of the policy network, and the three named sizes.

/// Hyper-parameters of the decoder-only transformer (GPT-2 layout with RMSNorm, GELU,
/// learned positions and tied input/output embeddings).
///
/// Encoded as a Hugging Face–style `config.json` (snake-case keys) inside checkpoints.
public struct TransformerConfig: Codable, Hashable, Sendable {
    /// Number of token ids.
    public var vocabSize: Int
    /// Maximum sequence length (rows of the position embedding).
    public var contextLength: Int
    /// Channels C of the residual stream.
    public var width: Int
    /// Number of transformer blocks L.
    public var depth: Int
    /// Attention heads NH; `width` must be a multiple.
    public var heads: Int
    /// Whether a scalar value head (the PPO critic) reads the final normalised stream.
    public var valueHead: Bool

    public init(vocabSize: Int, contextLength: Int, width: Int, depth: Int, heads: Int, valueHead: Bool = false) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.width = width
        self.depth = depth
        self.heads = heads
        self.valueHead = valueHead
    }

    /// For tests: a model that runs a full gradient check in well under a second.
    public static func tiny(vocabSize: Int) -> TransformerConfig {
        TransformerConfig(vocabSize: vocabSize, contextLength: 64, width: 32, depth: 2, heads: 4)
    }

    /// The default for training on two CPU cores (≈1.9M parameters with an 8k vocabulary).
    public static func small(vocabSize: Int) -> TransformerConfig {
        TransformerConfig(vocabSize: vocabSize, contextLength: 512, width: 128, depth: 4, heads: 4)
    }

    /// ≈14.0M parameters with an 8k vocabulary.
    public static func base(vocabSize: Int) -> TransformerConfig {
        TransformerConfig(vocabSize: vocabSize, contextLength: 512, width: 384, depth: 6, heads: 6)
    }

    /// A named size: `tiny`, `small` or `base`.
    public static func named(_ name: String, vocabSize: Int) -> TransformerConfig? {
        switch name {
        case "tiny": return tiny(vocabSize: vocabSize)
        case "small": return small(vocabSize: vocabSize)
        case "base": return base(vocabSize: vocabSize)
        default: return nil
        }
    }

    /// Head size hs = C / NH.
    public var headSize: Int { width / heads }

    /// Checks the invariants the kernels rely on.
    public func validate() throws(PolicyError) {
        guard vocabSize > 0, contextLength > 0, width > 0, depth > 0, heads > 0 else {
            throw PolicyError("config: every size must be positive")
        }
        guard width % heads == 0 else {
            throw PolicyError("config: width \(width) is not a multiple of heads \(heads)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size"
        case contextLength = "n_positions"
        case width = "n_embd"
        case depth = "n_layer"
        case heads = "n_head"
        case valueHead = "value_head"
    }
}

/// An error from the policy layer, with a message that says what was expected.
public struct PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
