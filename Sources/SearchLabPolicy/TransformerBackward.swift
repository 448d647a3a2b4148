// Backward: the forward kernel list read bottom-up, reusing a handful of gradient buffers.
import SearchLabTensor

extension Transformer {
    /// Propagates a loss's derivatives from the last ``forward(_:)`` into ``gradients``.
    ///
    /// - Parameters:
    ///   - dLogProbs: d(loss)/d(logProbs[b,t]), (B, T); positions with target −1 are ignored.
    ///   - dEntropies: d(loss)/d(entropies[b,t]), or nil.
    ///   - dValues: d(loss)/d(values[b,t]), or nil; only for a model with a value head.
    public func backward(dLogProbs: [Float]?, dEntropies: [Float]?, dValues: [Float]?) {
        guard let a = acts, a.scored else { preconditionFailure("backward needs the forward(_:) it belongs to") }
        let (b, t, c, nh, v) = (a.b, a.t, config.width, config.heads, config.vocabSize)
        let n = b * t
        precondition(dValues == nil || config.valueHead, "dValues given to a model without a value head")
        for d in [dLogProbs, dEntropies, dValues] { precondition(d == nil || d!.count == n, "gradient must be (B, T)") }
        a.dlogits.zero(prefix: n * v)
        dLogProbs.withOptionalPointer { dlp in
            dEntropies.withOptionalPointer { dh in
                Tensor.tokenStatsBackward(dlogits: a.dlogits.pointer, dLogProb: dlp, dEntropy: dh,
                                          logits: a.logits.pointer, lse: a.lse.pointer, entropy: a.entropies.pointer,
                                          targets: a.targets, n: n, v: v)
            }
        }
        a.dln.zero(prefix: n * c)
        Tensor.matmulBackward(dinp: a.dln.pointer, dweight: g("wte.weight"), dbias: nil, dout: a.dlogits.pointer,
                              inp: a.lnf.pointer, weight: p("wte.weight"), n: n, c: c, oc: v)
        if let dValues {
            Tensor.matmulBackward(dinp: a.dln.pointer, dweight: g("value_head.weight"), dbias: g("value_head.bias"),
                                  dout: dValues, inp: a.lnf.pointer, weight: p("value_head.weight"), n: n, c: c, oc: 1)
        }
        a.dres.zero(prefix: n * c)
        let last = a.res3.pointer + (config.depth - 1) * n * c
        Tensor.rmsNormBackward(dinp: a.dres.pointer, dweight: g("ln_f.weight"), dout: a.dln.pointer, inp: last,
                               weight: p("ln_f.weight"), rstd: a.lnfRstd.pointer, n: n, c: c)
        for l in stride(from: config.depth - 1, through: 0, by: -1) {
            let pre = "h.\(l)."
            let x = l == 0 ? a.encoded.pointer : a.res3.pointer + (l - 1) * n * c
            let ln1 = a.ln1.pointer + l * n * c, qkv = a.qkv.pointer + l * n * 3 * c
            let atty = a.atty.pointer + l * n * c, att = a.att.pointer + l * b * nh * t * t
            let res2 = a.res2.pointer + l * n * c, ln2 = a.ln2.pointer + l * n * c
            let fch = a.fch.pointer + l * n * 4 * c, fchGelu = a.fchGelu.pointer + l * n * 4 * c
            // dres holds d(res3); res3 = res2 + fcproj passes it to both unchanged
            a.dfchGelu.zero(prefix: n * 4 * c)
            Tensor.matmulBackward(dinp: a.dfchGelu.pointer, dweight: g(pre + "mlp.c_proj.weight"),
                                  dbias: g(pre + "mlp.c_proj.bias"), dout: a.dres.pointer, inp: fchGelu,
                                  weight: p(pre + "mlp.c_proj.weight"), n: n, c: 4 * c, oc: c)
            a.dfch.zero(prefix: n * 4 * c)
            Tensor.geluBackward(dinp: a.dfch.pointer, inp: fch, dout: a.dfchGelu.pointer, count: n * 4 * c)
            a.dln.zero(prefix: n * c)
            Tensor.matmulBackward(dinp: a.dln.pointer, dweight: g(pre + "mlp.c_fc.weight"), dbias: g(pre + "mlp.c_fc.bias"),
                                  dout: a.dfch.pointer, inp: ln2, weight: p(pre + "mlp.c_fc.weight"), n: n, c: c, oc: 4 * c)
            Tensor.rmsNormBackward(dinp: a.dres.pointer, dweight: g(pre + "ln_2.weight"), dout: a.dln.pointer, inp: res2,
                                   weight: p(pre + "ln_2.weight"), rstd: a.ln2Rstd.pointer + l * n, n: n, c: c)
            // dres now holds d(res2); res2 = x + attproj
            a.datty.zero(prefix: n * c)
            Tensor.matmulBackward(dinp: a.datty.pointer, dweight: g(pre + "attn.c_proj.weight"),
                                  dbias: g(pre + "attn.c_proj.bias"), dout: a.dres.pointer, inp: atty,
                                  weight: p(pre + "attn.c_proj.weight"), n: n, c: c, oc: c)
            a.dqkv.zero(prefix: n * 3 * c)
            Tensor.attentionBackward(dqkv: a.dqkv.pointer, dout: a.datty.pointer, qkv: qkv, att: att, b: b, t: t, c: c, nh: nh)
            a.dln.zero(prefix: n * c)
            Tensor.matmulBackward(dinp: a.dln.pointer, dweight: g(pre + "attn.c_attn.weight"),
                                  dbias: g(pre + "attn.c_attn.bias"), dout: a.dqkv.pointer, inp: ln1,
                                  weight: p(pre + "attn.c_attn.weight"), n: n, c: c, oc: 3 * c)
            Tensor.rmsNormBackward(dinp: a.dres.pointer, dweight: g(pre + "ln_1.weight"), dout: a.dln.pointer, inp: x,
                                   weight: p(pre + "ln_1.weight"), rstd: a.ln1Rstd.pointer + l * n, n: n, c: c)
            // dres now holds d(x), the previous block's output
        }
        Tensor.embeddingBackward(dwte: g("wte.weight"), dwpe: g("wpe.weight"), dout: a.dres.pointer,
                                 tokens: a.tokens, positions: a.positions, n: n, c: c)
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with the array's base address, or nil.
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}
