// Causal multi-head self-attention with a padding mask, as sgemm calls per (batch, head).
import Foundation

extension Tensor {
    /// Causal attention.
    ///
    /// qkv is (B, T, 3C) holding Q, K, V side by side; valid is (B, T) or nil (all valid);
    /// out is (B, T, C); att (B, NH, T, T) caches the attention probabilities for backward.
    /// Query t attends to keys j ≤ t with valid[j]; a query with no such key outputs zeros.
    public static func attentionForward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
        qkv: UnsafePointer<Float>, valid: UnsafePointer<Bool>?, b: Int, t: Int, c: Int, nh: Int
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        for bi in 0..<b {
            for h in 0..<nh {
                let q = qkv + bi * t * 3 * c + h * hs
                let k = q + c
                let v = q + 2 * c
                let a = att + (bi * nh + h) * t * t
                // preatt = scale · Q Kᵀ over all (t, j); the causal half is masked below
                gemm(transA: false, transB: true, m: t, n: t, k: hs, alpha: scale,
                     a: q, lda: 3 * c, b: k, ldb: 3 * c, beta: 0, c: a, ldc: t)
                let rowValid = valid.map { $0 + bi * t }
                let dense = rowValid.map { validPrefix($0, count: t) } ?? t
                parallelFor(t, minChunk: 32) { row in
                    maskedSoftmaxRow(a + row * t, row: row, t: t, valid: rowValid, denseKeys: dense)
                }
                gemm(transA: false, transB: false, m: t, n: hs, k: t, alpha: 1,
                     a: a, lda: t, b: v, ldb: 3 * c, beta: 0, c: out + bi * t * c + h * hs, ldc: c)
            }
        }
    }

    /// Softmax of row `row` of the pre-attention over keys 0...row that are valid, in place.
    ///
    /// `denseKeys` is the number of leading keys known valid (the row's valid prefix): a row
    /// inside it takes the vectorised path, whose result depends only on the row's own scores,
    /// never on its padding. Rows reaching past it (left padding, holes) take the masked loop.
    static func maskedSoftmaxRow(_ a: UnsafeMutablePointer<Float>, row: Int, t: Int, valid: UnsafePointer<Bool>?,
                                 denseKeys: Int) {
        let keys = row + 1
        if valid == nil || keys <= denseKeys {
            let sum = exponentiate(a, count: keys, shift: maximum(a, count: keys))
            scale(a, count: keys, by: 1 / sum)
        } else {
            sparseSoftmaxRow(a, keys: keys, valid: valid!)
        }
        (a + keys).update(repeating: 0, count: t - keys)
    }

    /// The masked softmax over `keys` scores where only `valid` keys take weight.
    static func sparseSoftmaxRow(_ a: UnsafeMutablePointer<Float>, keys: Int, valid: UnsafePointer<Bool>) {
        var maxv = -Float.infinity
        for j in 0..<keys where valid[j] { maxv = max(maxv, a[j]) }
        if maxv == -Float.infinity {
            a.update(repeating: 0, count: keys)
            return
        }
        _ = exponentiate(a, count: keys, shift: maxv)
        // Padding takes no weight: the sum is over the row's own valid scores only.
        var sum: Float = 0
        for j in 0..<keys {
            if valid[j] { sum += a[j] } else { a[j] = 0 }
        }
        let inv = 1 / sum
        for j in 0..<keys { a[j] *= inv }
    }

    /// The number of leading `true` flags among the first `count`.
    static func validPrefix(_ valid: UnsafePointer<Bool>, count: Int) -> Int {
        var j = 0
        while j < count && valid[j] { j += 1 }
        return j
    }

    /// Backward of ``attentionForward(out:att:qkv:valid:b:t:c:nh:)``; accumulates into dqkv (B, T, 3C).
    public static func attentionBackward(
        dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, b: Int, t: Int, c: Int, nh: Int
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        let datt = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
        defer { datt.deallocate() }
        for bi in 0..<b {
            for h in 0..<nh {
                let q = qkv + bi * t * 3 * c + h * hs
                let k = q + c
                let v = q + 2 * c
                let dq = dqkv + bi * t * 3 * c + h * hs
                let dk = dq + c
                let dv = dq + 2 * c
                let a = att + (bi * nh + h) * t * t
                let d = dout + bi * t * c + h * hs
                // forward: out = att · V, so datt = dout · Vᵀ and dV += attᵀ · dout
                gemm(transA: false, transB: true, m: t, n: t, k: hs, alpha: 1,
                     a: d, lda: c, b: v, ldb: 3 * c, beta: 0, c: datt, ldc: t)
                gemm(transA: true, transB: false, m: t, n: hs, k: t, alpha: 1,
                     a: a, lda: t, b: d, ldb: c, beta: 1, c: dv, ldc: 3 * c)
                // softmax backward: dpre = att ⊙ (datt − Σ_j att·datt); masked entries have att = 0
                parallelFor(t, minChunk: 32) { row in
                    let ar = a + row * t
                    let dr = datt + row * t
                    var dot: Float = 0
                    for j in 0...row { dot += ar[j] * dr[j] }
                    for j in 0...row { dr[j] = ar[j] * (dr[j] - dot) }
                    for j in (row + 1)..<t { dr[j] = 0 }
                }
                // forward: pre = scale · Q Kᵀ
                gemm(transA: false, transB: false, m: t, n: hs, k: t, alpha: scale,
                     a: datt, lda: t, b: k, ldb: 3 * c, beta: 1, c: dq, ldc: 3 * c)
                gemm(transA: true, transB: false, m: t, n: hs, k: t, alpha: scale,
                     a: datt, lda: t, b: q, ldb: 3 * c, beta: 1, c: dk, ldc: 3 * c)
            }
        }
    }

    /// The naive twin of ``attentionForward(out:att:qkv:valid:b:t:c:nh:)``: plain loops.
    public static func attentionForwardNaive(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
        qkv: UnsafePointer<Float>, valid: UnsafePointer<Bool>?, b: Int, t: Int, c: Int, nh: Int
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        for bi in 0..<b {
            for h in 0..<nh {
                let a = att + (bi * nh + h) * t * t
                for row in 0..<t {
                    let q = qkv + (bi * t + row) * 3 * c + h * hs
                    for j in 0..<t {
                        let k = qkv + (bi * t + j) * 3 * c + c + h * hs
                        var s: Float = 0
                        for i in 0..<hs { s += q[i] * k[i] }
                        a[row * t + j] = s * scale
                    }
                    maskedSoftmaxRow(a + row * t, row: row, t: t, valid: valid.map { $0 + bi * t }, denseKeys: 0)
                    let o = out + (bi * t + row) * c + h * hs
                    for i in 0..<hs {
                        var s: Float = 0
                        for j in 0..<t { s += a[row * t + j] * qkv[(bi * t + j) * 3 * c + 2 * c + h * hs + i] }
                        o[i] = s
                    }
                }
            }
        }
    }

    /// One decoding step against a KV cache.
    ///
    /// q is (B, C); kCache and vCache are (S, maxT, C) with row b reading cache slot
    /// slots[b]; lengths[b] keys (including the current token's, already written) are
    /// attended; out is (B, C). All cached keys are valid because each slot holds only its
    /// own sequence's tokens.
    public static func attentionDecode(
        out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
        kCache: UnsafePointer<Float>, vCache: UnsafePointer<Float>, slots: UnsafePointer<Int>,
        lengths: UnsafePointer<Int>, b: Int, maxT: Int, c: Int, nh: Int
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        parallelFor(b * nh) { job in
            let bi = job / nh
            let h = job % nh
            let len = lengths[bi]
            let slot = slots[bi]
            let qh = q + bi * c + h * hs
            let o = out + bi * c + h * hs
            withUnsafeTemporaryAllocation(of: Float.self, capacity: len) { scores in
                var maxv = -Float.infinity
                for j in 0..<len {
                    let k = kCache + (slot * maxT + j) * c + h * hs
                    var s: Float = 0
                    for i in 0..<hs { s += qh[i] * k[i] }
                    scores[j] = s * scale
                    maxv = max(maxv, scores[j])
                }
                let sum = exponentiate(scores.baseAddress!, count: len, shift: maxv)
                for i in 0..<hs { o[i] = 0 }
                for j in 0..<len {
                    let w = scores[j] / sum
                    let v = vCache + (slot * maxT + j) * c + h * hs
                    for i in 0..<hs { o[i] += w * v[i] }
                }
            }
        }
    }
}
