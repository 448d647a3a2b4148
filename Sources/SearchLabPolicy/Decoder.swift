// Incremental decoding: a KV cache per sequence and a one-token-per-row forward step.
import SearchLabTensor

/// Keys and values of every layer for up to `slots` sequences of up to `maxT` tokens.
final class KVCache {
    let slots: Int, maxT: Int, width: Int
    let keys: FloatBuffer    // (L, slots, maxT, C)
    let values: FloatBuffer  // (L, slots, maxT, C)
    /// Tokens cached so far per slot (the next token's position).
    var lengths: [Int]

    /// A cache laid out for `slots` × `maxT` in `storage` (keys, values), which must hold
    /// `depth · slots · maxT · width` floats each. Nothing is cleared: attention reads only the
    /// positions below each slot's length, all written by this cache's prefill and steps.
    init(config: TransformerConfig, slots: Int, maxT: Int, storage: (keys: FloatBuffer, values: FloatBuffer)) {
        precondition(storage.keys.count >= Self.floats(config, slots: slots, maxT: maxT) && storage.values.count == storage.keys.count)
        self.slots = slots
        self.maxT = maxT
        self.width = config.width
        keys = storage.keys
        values = storage.values
        lengths = [Int](repeating: 0, count: slots)
    }

    /// Floats per buffer for `slots` sequences of up to `maxT` tokens.
    static func floats(_ config: TransformerConfig, slots: Int, maxT: Int) -> Int {
        config.depth * slots * maxT * config.width
    }

    func key(layer: Int, slot: Int, position: Int) -> UnsafeMutablePointer<Float> {
        keys.pointer + ((layer * slots + slot) * maxT + position) * width
    }

    func value(layer: Int, slot: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values.pointer + ((layer * slots + slot) * maxT + position) * width
    }
}

extension Transformer {
    /// A KV cache for one `generate` call. Its buffers are kept for the next call (each turn
    /// of a rollout generates again): allocating and zeroing hundreds of MB per turn cost
    /// more page faults than decoding. They grow when a call needs more.
    func kvCache(slots: Int, maxT: Int) -> KVCache {
        let needed = KVCache.floats(config, slots: slots, maxT: maxT)
        if let storage = kvStorage, storage.keys.count >= needed {
            return KVCache(config: config, slots: slots, maxT: maxT, storage: storage)
        }
        kvStorage = nil  // free the old buffers before allocating new ones
        let storage = (keys: FloatBuffer(count: needed), values: FloatBuffer(count: needed))
        kvStorage = storage
        return KVCache(config: config, slots: slots, maxT: maxT, storage: storage)
    }

    /// Runs `prompt` through the full forward pass, stores its keys and values in `slot`,
    /// and returns the logits (V) of its last position.
    func prefill(_ prompt: [Int], cache: KVCache, slot: Int) -> [Float] {
        let t = prompt.count, c = config.width
        let batch = TokenBatch(batchSize: 1, length: t, tokens: prompt.map(Int32.init),
                               targets: [Int32](repeating: -1, count: t), valid: [Bool](repeating: true, count: t))
        let a = runBlocks(batch)
        for l in 0..<config.depth {
            for pos in 0..<t {
                let row = a.qkv.pointer + (l * t + pos) * 3 * c
                cache.key(layer: l, slot: slot, position: pos).update(from: row + c, count: c)
                cache.value(layer: l, slot: slot, position: pos).update(from: row + 2 * c, count: c)
            }
        }
        cache.lengths[slot] = t
        return logits(after: a, row: 0, position: t - 1)
    }

    /// Feeds one token to each listed slot at its next position; returns logits (rows, V).
    func decodeStep(tokens: [Int], slots: [Int], cache: KVCache) -> [Float] {
        let n = tokens.count, c = config.width, nh = config.heads
        let x = FloatBuffer(count: n * c), ln = FloatBuffer(count: n * c), qkv = FloatBuffer(count: n * 3 * c)
        let q = FloatBuffer(count: n * c), atty = FloatBuffer(count: n * c), proj = FloatBuffer(count: n * c)
        let fch = FloatBuffer(count: n * 4 * c), rstd = FloatBuffer(count: n)
        let positions = slots.map { Int32(cache.lengths[$0]) }
        let lengths = slots.map { cache.lengths[$0] + 1 }
        Tensor.embeddingForward(out: x.pointer, tokens: tokens.map(Int32.init), positions: positions,
                                wte: p("wte.weight"), wpe: p("wpe.weight"), n: n, c: c)
        for l in 0..<config.depth {
            let pre = "h.\(l)."
            Tensor.rmsNormForward(out: ln.pointer, rstd: rstd.pointer, inp: x.pointer, weight: p(pre + "ln_1.weight"), n: n, c: c)
            Tensor.matmulForward(out: qkv.pointer, inp: ln.pointer, weight: p(pre + "attn.c_attn.weight"),
                                 bias: p(pre + "attn.c_attn.bias"), n: n, c: c, oc: 3 * c)
            for (row, slot) in slots.enumerated() {
                let r = qkv.pointer + row * 3 * c
                (q.pointer + row * c).update(from: r, count: c)
                cache.key(layer: l, slot: slot, position: Int(positions[row])).update(from: r + c, count: c)
                cache.value(layer: l, slot: slot, position: Int(positions[row])).update(from: r + 2 * c, count: c)
            }
            Tensor.attentionDecode(out: atty.pointer, q: q.pointer, kCache: cache.key(layer: l, slot: 0, position: 0),
                                   vCache: cache.value(layer: l, slot: 0, position: 0), slots: slots, lengths: lengths,
                                   b: n, maxT: cache.maxT, c: c, nh: nh)
            Tensor.matmulForward(out: proj.pointer, inp: atty.pointer, weight: p(pre + "attn.c_proj.weight"),
                                 bias: p(pre + "attn.c_proj.bias"), n: n, c: c, oc: c)
            Tensor.residualForward(out: x.pointer, a: x.pointer, b: proj.pointer, count: n * c)
            Tensor.rmsNormForward(out: ln.pointer, rstd: rstd.pointer, inp: x.pointer, weight: p(pre + "ln_2.weight"), n: n, c: c)
            Tensor.matmulForward(out: fch.pointer, inp: ln.pointer, weight: p(pre + "mlp.c_fc.weight"),
                                 bias: p(pre + "mlp.c_fc.bias"), n: n, c: c, oc: 4 * c)
            Tensor.geluForward(out: fch.pointer, inp: fch.pointer, count: n * 4 * c)
            Tensor.matmulForward(out: proj.pointer, inp: fch.pointer, weight: p(pre + "mlp.c_proj.weight"),
                                 bias: p(pre + "mlp.c_proj.bias"), n: n, c: 4 * c, oc: c)
            Tensor.residualForward(out: x.pointer, a: x.pointer, b: proj.pointer, count: n * c)
        }
        for slot in slots { cache.lengths[slot] += 1 }
        Tensor.rmsNormForward(out: ln.pointer, rstd: rstd.pointer, inp: x.pointer, weight: p("ln_f.weight"), n: n, c: c)
        var logits = [Float](repeating: 0, count: n * config.vocabSize)
        Tensor.matmulForward(out: &logits, inp: ln.pointer, weight: p("wte.weight"), bias: nil, n: n, c: c, oc: config.vocabSize)
        return logits
    }
}
