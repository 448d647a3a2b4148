// The decoder-only transformer: one flat parameter buffer, a forward pass that is a
// straight list of kernel calls, and the per-token outputs an RL loss is built from.
import SearchLabTensor

/// What one forward pass produced for each position (b, t), row-major (B, T).
public struct TokenScores: Sendable, Hashable {
    /// log p(targets[b,t] | tokens[b, ≤t]); 0 where the target is −1.
    public var logProbs: [Float]
    /// Entropy of the next-token distribution at (b, t).
    public var entropies: [Float]
    /// Value-head output at (b, t); empty when the model has no value head.
    public var values: [Float]
}

/// A GPT-style policy (RMSNorm, GELU MLP, learned positions, tied embeddings) with an
/// optional scalar value head.
///
/// Use: ``forward(_:)`` (or ``scoreTokens(_:)``), compute a loss outside from the
/// returned log-probs/entropies/values, then ``backward(dLogProbs:dEntropies:dValues:)``
/// with the loss's derivatives; gradients accumulate in ``gradients`` until
/// ``zeroGradients()``. Not thread-safe: one forward/backward at a time (use a ``replica()``
/// per thread).
public final class Transformer: @unchecked Sendable {
    public let config: TransformerConfig
    public let layout: ParameterLayout
    /// All weights, laid out by ``layout``.
    public let parameters: FloatBuffer
    /// d(loss)/d(parameters), same layout; accumulated by ``backward(dLogProbs:dEntropies:dValues:)``.
    public private(set) lazy var gradients = FloatBuffer(count: layout.count)
    var acts: Activations?
    /// The buffers of the last KV cache (see `kvCache(slots:maxT:)`).
    var kvStorage: (keys: FloatBuffer, values: FloatBuffer)?

    /// A model with zero weights (load or ``initialize(seed:)`` them next).
    public init(config: TransformerConfig) throws(PolicyError) {
        try config.validate()
        self.config = config
        self.layout = ParameterLayout(config: config)
        self.parameters = FloatBuffer(count: layout.count)
    }

    /// A model over `parameters` (shared, not copied), with its own activations and gradients.
    init(config: TransformerConfig, layout: ParameterLayout, sharing parameters: FloatBuffer) {
        self.config = config
        self.layout = layout
        self.parameters = parameters
    }

    /// A worker's view of this model: the same weights (shared: an optimiser step on either is
    /// seen by both), its own activations, gradients and KV cache, so that two replicas can run
    /// forward and backward passes at the same time. See ``ModelReplicas``.
    public func replica() -> Transformer {
        Transformer(config: config, layout: layout, sharing: parameters)
    }

    /// A frozen copy (the PPO/GRPO reference policy): same weights, its own activations.
    public func frozenCopy() -> Transformer {
        let copy = try! Transformer(config: config)  // config already validated
        copy.parameters.copy(from: parameters)
        return copy
    }

    /// Zeroes ``gradients`` (once per optimiser step, before the micro-batches).
    public func zeroGradients() { gradients.zero() }

    /// Pointer to the first element of the named tensor.
    func p(_ name: String) -> UnsafeMutablePointer<Float> { parameters.pointer + layout[name].offset }
    func g(_ name: String) -> UnsafeMutablePointer<Float> { gradients.pointer + layout[name].offset }

    /// Allocates the activations of a pass of `b` rows × `t` positions now. Micro-batches
    /// sorted by length grow pass by pass; reserving for the longest first gives them all one
    /// set of buffers, where growing each time reallocated (and page-faulted) hundreds of MB.
    public func reserveActivations(b: Int, t: Int) {
        _ = activations(b: b, t: min(t, config.contextLength))
    }

    func activations(b: Int, t: Int) -> Activations {
        if let acts, acts.fits(b: b, t: t) {
            acts.reshape(b: b, t: t)
            return acts
        }
        acts = nil  // free the old buffers before allocating new ones
        // Lengths are reserved in steps of 128 so that batches of nearby lengths share buffers.
        let reserved = max(t, min(config.contextLength, (t + 127) / 128 * 128))
        let fresh = Activations(config: config, b: b, t: t, reserved: reserved)
        acts = fresh
        return fresh
    }

    /// Runs the model on `batch` and returns per-position log-probs, entropies and values.
    /// The activations are kept for a following ``backward(dLogProbs:dEntropies:dValues:)``.
    @discardableResult
    public func forward(_ batch: TokenBatch) -> TokenScores {
        let a = runForward(batch)
        let n = batch.batchSize * batch.length
        Tensor.tokenStatsForward(logProb: a.logProbs.pointer, entropy: a.entropies.pointer, lse: a.lse.pointer,
                                 logits: a.logits.pointer, targets: a.targets, n: n, v: config.vocabSize)
        a.scored = true
        return TokenScores(logProbs: a.logProbs.slice(0..<n), entropies: a.entropies.slice(0..<n),
                           values: config.valueHead ? a.values.slice(0..<n) : [])
    }

    /// Teacher-forced scoring: the same as ``forward(_:)``, named for the rollout side.
    public func scoreTokens(_ batch: TokenBatch) -> TokenScores { forward(batch) }

    /// The logits (B, T, V) for `batch`, row-major.
    public func logits(_ batch: TokenBatch) -> [Float] {
        runForward(batch).logits.slice(0..<(batch.batchSize * batch.length * config.vocabSize))
    }

    /// Mean cross-entropy of the targets (language-model pre-training), with its gradient
    /// accumulated into ``gradients`` scaled by `scale` (use 1/micro-batches).
    public func languageModelStep(_ batch: TokenBatch, scale: Float = 1) -> Float {
        let scores = forward(batch)
        let count = batch.targets.filter { $0 >= 0 }.count
        guard count > 0 else { return 0 }
        var total = 0.0
        for (i, target) in batch.targets.enumerated() where target >= 0 { total += Double(scores.logProbs[i]) }
        let d = batch.targets.map { $0 >= 0 ? -scale / Float(count) : 0 }
        backward(dLogProbs: d, dEntropies: nil, dValues: nil)
        return Float(-total / Double(count))
    }

    func runForward(_ batch: TokenBatch) -> Activations {
        let a = runBlocks(batch)
        let n = batch.batchSize * batch.length, c = config.width
        let last = a.res3.pointer + (config.depth - 1) * n * c
        Tensor.rmsNormForward(out: a.lnf.pointer, rstd: a.lnfRstd.pointer, inp: last, weight: p("ln_f.weight"), n: n, c: c)
        Tensor.matmulForward(out: a.logits.pointer, inp: a.lnf.pointer, weight: p("wte.weight"), bias: nil,
                             n: n, c: c, oc: config.vocabSize)
        if config.valueHead {
            Tensor.matmulForward(out: a.values.pointer, inp: a.lnf.pointer, weight: p("value_head.weight"),
                                 bias: p("value_head.bias"), n: n, c: c, oc: 1)
        }
        return a
    }

    /// The logits (V) at position `t` of row `b` after ``runBlocks(_:)``: the final norm and
    /// the output projection of that one position (what prefill needs), nothing else.
    func logits(after a: Activations, row b: Int, position t: Int) -> [Float] {
        let c = config.width, n = a.b * a.t
        let at = (b * a.t + t) * c
        let last = a.res3.pointer + (config.depth - 1) * n * c + at
        Tensor.rmsNormForward(out: a.lnf.pointer + at, rstd: a.lnfRstd.pointer + b * a.t + t, inp: last,
                              weight: p("ln_f.weight"), n: 1, c: c)
        var out = [Float](repeating: 0, count: config.vocabSize)
        Tensor.matmulForward(out: &out, inp: a.lnf.pointer + at, weight: p("wte.weight"), bias: nil, n: 1, c: c, oc: config.vocabSize)
        return out
    }

    /// Embedding and transformer blocks: every activation up to the last block's output.
    func runBlocks(_ batch: TokenBatch) -> Activations {
        let (b, t, c, nh) = (batch.batchSize, batch.length, config.width, config.heads)
        precondition(t <= config.contextLength, "sequence length \(t) exceeds the context \(config.contextLength)")
        let n = b * t
        let a = activations(b: b, t: t)
        a.tokens = batch.tokens.map { min(max($0, 0), Int32(config.vocabSize - 1)) }
        a.targets = batch.targets
        a.positions = batch.positions
        a.valid = batch.valid
        a.scored = false
        for token in batch.tokens { precondition(token < config.vocabSize, "token id \(token) outside the vocabulary") }
        Tensor.embeddingForward(out: a.encoded.pointer, tokens: a.tokens, positions: a.positions,
                                wte: p("wte.weight"), wpe: p("wpe.weight"), n: n, c: c)
        for l in 0..<config.depth {
            let pre = "h.\(l)."
            let x = l == 0 ? a.encoded.pointer : a.res3.pointer + (l - 1) * n * c
            let ln1 = a.ln1.pointer + l * n * c, qkv = a.qkv.pointer + l * n * 3 * c
            let atty = a.atty.pointer + l * n * c, att = a.att.pointer + l * b * nh * t * t
            let res2 = a.res2.pointer + l * n * c, ln2 = a.ln2.pointer + l * n * c
            let fch = a.fch.pointer + l * n * 4 * c, fchGelu = a.fchGelu.pointer + l * n * 4 * c
            let res3 = a.res3.pointer + l * n * c
            Tensor.rmsNormForward(out: ln1, rstd: a.ln1Rstd.pointer + l * n, inp: x, weight: p(pre + "ln_1.weight"), n: n, c: c)
            Tensor.matmulForward(out: qkv, inp: ln1, weight: p(pre + "attn.c_attn.weight"),
                                 bias: p(pre + "attn.c_attn.bias"), n: n, c: c, oc: 3 * c)
            a.valid.withUnsafeBufferPointer { valid in
                Tensor.attentionForward(out: atty, att: att, qkv: qkv, valid: valid.baseAddress, b: b, t: t, c: c, nh: nh)
            }
            Tensor.matmulForward(out: a.scratch.pointer, inp: atty, weight: p(pre + "attn.c_proj.weight"),
                                 bias: p(pre + "attn.c_proj.bias"), n: n, c: c, oc: c)
            Tensor.residualForward(out: res2, a: x, b: a.scratch.pointer, count: n * c)
            Tensor.rmsNormForward(out: ln2, rstd: a.ln2Rstd.pointer + l * n, inp: res2, weight: p(pre + "ln_2.weight"), n: n, c: c)
            Tensor.matmulForward(out: fch, inp: ln2, weight: p(pre + "mlp.c_fc.weight"),
                                 bias: p(pre + "mlp.c_fc.bias"), n: n, c: c, oc: 4 * c)
            Tensor.geluForward(out: fchGelu, inp: fch, count: n * 4 * c)
            Tensor.matmulForward(out: a.scratch.pointer, inp: fchGelu, weight: p(pre + "mlp.c_proj.weight"),
                                 bias: p(pre + "mlp.c_proj.bias"), n: n, c: 4 * c, oc: c)
            Tensor.residualForward(out: res3, a: res2, b: a.scratch.pointer, count: n * c)
        }
        return a
    }
}
