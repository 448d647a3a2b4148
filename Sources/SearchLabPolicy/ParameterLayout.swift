// Where each named tensor lives inside the one flat parameter buffer.

/// One named tensor: a contiguous slice of the flat parameter buffer.
public struct TensorView: Hashable, Sendable {
    /// The name used in `model.safetensors` (GPT-2 / Hugging Face style).
    public var name: String
    /// Row-major shape.
    public var shape: [Int]
    /// Offset of the first element in the flat buffer.
    public var offset: Int
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// The element range in the flat buffer.
    public var range: Range<Int> { offset..<(offset + count) }
}

/// The ordered list of named tensors for a config. Layer l's tensors are contiguous,
/// so a whole block can be sliced out, and AdamW is one loop over the whole buffer.
public struct ParameterLayout: Sendable {
    /// Tensors in buffer order.
    public let tensors: [TensorView]
    /// Total number of parameters.
    public let count: Int
    private let index: [String: Int]

    public init(config: TransformerConfig) {
        let c = config.width
        var specs: [(String, [Int])] = [("wte.weight", [config.vocabSize, c]), ("wpe.weight", [config.contextLength, c])]
        for l in 0..<config.depth {
            let p = "h.\(l)."
            specs += [
                (p + "ln_1.weight", [c]),
                (p + "attn.c_attn.weight", [3 * c, c]), (p + "attn.c_attn.bias", [3 * c]),
                (p + "attn.c_proj.weight", [c, c]), (p + "attn.c_proj.bias", [c]),
                (p + "ln_2.weight", [c]),
                (p + "mlp.c_fc.weight", [4 * c, c]), (p + "mlp.c_fc.bias", [4 * c]),
                (p + "mlp.c_proj.weight", [c, 4 * c]), (p + "mlp.c_proj.bias", [c]),
            ]
        }
        specs.append(("ln_f.weight", [c]))
        if config.valueHead { specs += [("value_head.weight", [c]), ("value_head.bias", [1])] }
        var offset = 0
        var tensors: [TensorView] = []
        for (name, shape) in specs {
            let view = TensorView(name: name, shape: shape, offset: offset)
            tensors.append(view)
            offset += view.count
        }
        self.tensors = tensors
        self.count = offset
        self.index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The view named `name`; names come from this layout, so a miss is a programming error.
    public subscript(name: String) -> TensorView {
        guard let i = index[name] else { preconditionFailure("no parameter named \(name)") }
        return tensors[i]
    }

    /// Whether the layout has a tensor named `name`.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The ranges AdamW decays: matrices only (embeddings and projections), never norms or biases.
    public var decayedRanges: [Range<Int>] { tensors.filter { $0.shape.count == 2 }.map(\.range) }
}
