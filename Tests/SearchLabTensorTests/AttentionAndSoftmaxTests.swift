// Attention and the softmax family: twins, masks, and finite-difference gradients.
import Foundation
import Testing
@testable import SearchLabTensor

@Suite struct AttentionTests {
    let b = 2, t = 5, c = 8, nh = 2

    func forward(_ qkv: [Float], valid: [Bool]?, naive: Bool = false) -> (out: [Float], att: [Float]) {
        var out = [Float](repeating: 0, count: b * t * c), att = [Float](repeating: 0, count: b * nh * t * t)
        if let valid {
            valid.withUnsafeBufferPointer { vp in
                (naive ? Tensor.attentionForwardNaive : Tensor.attentionForward)(
                    &out, &att, qkv, vp.baseAddress, b, t, c, nh)
            }
        } else {
            (naive ? Tensor.attentionForwardNaive : Tensor.attentionForward)(&out, &att, qkv, nil, b, t, c, nh)
        }
        return (out, att)
    }

    @Test func forwardMatchesNaiveWithPadding() {
        var rng = TestRandom(7)
        let qkv = rng.array(b * t * 3 * c)
        let valid = [false, false, true, true, true, true, true, false, true, true]
        let fast = forward(qkv, valid: valid), slow = forward(qkv, valid: valid, naive: true)
        expectClose(fast.out, slow.out, atol: 1e-5, rtol: 1e-5)
        expectClose(fast.att, slow.att, atol: 1e-6, rtol: 1e-5)
        // a query before any valid key outputs zeros; padded keys get no weight
        #expect(fast.out[0..<c].allSatisfy { $0 == 0 })
        #expect(fast.att[(1 * nh) * t * t + 4 * t + 2] == 0)
    }

    @Test func paddingMakesAttentionIgnorePaddedKeys() {
        var rng = TestRandom(8)
        var qkv = rng.array(b * t * 3 * c)
        let valid = [true, false, true, true, true, true, true, true, true, true]
        let before = forward(qkv, valid: valid).out
        for i in 0..<(3 * c) { qkv[1 * 3 * c + i] = 42 }  // rewrite the padded token's q, k, v
        let after = forward(qkv, valid: valid).out
        for row in [0, 2, 3, 4] { #expect(Array(before[row * c..<(row + 1) * c]) == Array(after[row * c..<(row + 1) * c])) }
    }

    @Test func backwardMatchesFiniteDifferences() {
        var rng = TestRandom(9)
        var qkv = rng.array(b * t * 3 * c)
        let proj = rng.array(b * t * c)
        let valid = [true, true, false, true, true, true, true, true, true, true]
        func loss() -> Double { project(forward(qkv, valid: valid).out, proj) }
        let att = forward(qkv, valid: valid).att
        var dqkv = [Float](repeating: 0, count: qkv.count)
        Tensor.attentionBackward(dqkv: &dqkv, dout: proj, qkv: qkv, att: att, b: b, t: t, c: c, nh: nh)
        expectClose(dqkv, numericGradient(qkv, eps: 1e-3, set: { qkv[$0] = $1 }, loss))
    }

    @Test func decodeMatchesFullAttentionOnTheLastRow() {
        var rng = TestRandom(10)
        let qkv = rng.array(b * t * 3 * c)
        let full = forward(qkv, valid: nil).out
        var q = [Float](repeating: 0, count: b * c)
        var kc = [Float](repeating: 0, count: b * t * c), vc = kc
        for bi in 0..<b {
            for j in 0..<t {
                for i in 0..<c {
                    kc[(bi * t + j) * c + i] = qkv[(bi * t + j) * 3 * c + c + i]
                    vc[(bi * t + j) * c + i] = qkv[(bi * t + j) * 3 * c + 2 * c + i]
                }
            }
            for i in 0..<c { q[bi * c + i] = qkv[(bi * t + t - 1) * 3 * c + i] }
        }
        var out = [Float](repeating: 0, count: b * c)
        let lengths = [t, t]
        Tensor.attentionDecode(out: &out, q: q, kCache: kc, vCache: vc, slots: [0, 1], lengths: lengths, b: b, maxT: t, c: c, nh: nh)
        var lastRows: [Float] = []
        for bi in 0..<b {
            let start = (bi * t + t - 1) * c
            lastRows += full[start..<(start + c)]
        }
        expectClose(out, lastRows, atol: 1e-5, rtol: 1e-5)
    }
}

@Suite struct SoftmaxTests {
    let n = 3, v = 6

    @Test func softmaxAndLogSoftmaxBackwardMatchFiniteDifferences() {
        var rng = TestRandom(11)
        var logits = rng.array(n * v, scale: 2)
        let proj = rng.array(n * v)
        func softmaxLoss() -> Double {
            var p = [Float](repeating: 0, count: n * v)
            Tensor.softmaxForward(probs: &p, logits: logits, n: n, v: v)
            return project(p, proj)
        }
        func logSoftmaxLoss() -> Double {
            var p = [Float](repeating: 0, count: n * v)
            Tensor.logSoftmaxForward(out: &p, logits: logits, n: n, v: v)
            return project(p, proj)
        }
        var probs = [Float](repeating: 0, count: n * v), logp = probs
        Tensor.softmaxForward(probs: &probs, logits: logits, n: n, v: v)
        Tensor.logSoftmaxForward(out: &logp, logits: logits, n: n, v: v)
        for row in 0..<n { #expect(abs(probs[row * v..<(row + 1) * v].reduce(0, +) - 1) < 1e-6) }
        var d1 = [Float](repeating: 0, count: n * v), d2 = d1
        Tensor.softmaxBackward(dlogits: &d1, dprobs: proj, probs: probs, n: n, v: v)
        Tensor.logSoftmaxBackward(dlogits: &d2, dout: proj, out: logp, n: n, v: v)
        expectClose(d1, numericGradient(logits, eps: 1e-3, set: { logits[$0] = $1 }, softmaxLoss))
        expectClose(d2, numericGradient(logits, eps: 1e-3, set: { logits[$0] = $1 }, logSoftmaxLoss))
    }

    @Test func tokenStatsBackwardMatchesFiniteDifferences() {
        var rng = TestRandom(12)
        var logits = rng.array(n * v, scale: 2)
        let targets: [Int32] = [2, -1, 5]
        let wLogp = rng.array(n), wEnt = rng.array(n)
        func loss() -> Double {
            var lp = [Float](repeating: 0, count: n), h = lp
            Tensor.tokenStatsForward(logProb: &lp, entropy: &h, logits: logits, targets: targets, n: n, v: v)
            return project(lp, wLogp) + project(h, wEnt)
        }
        var lp = [Float](repeating: 0, count: n), h = lp
        Tensor.tokenStatsForward(logProb: &lp, entropy: &h, logits: logits, targets: targets, n: n, v: v)
        // entropy of the softmax, computed the slow way
        var probs = [Float](repeating: 0, count: n * v)
        Tensor.softmaxForward(probs: &probs, logits: logits, n: n, v: v)
        let h0 = -probs[0..<v].reduce(Float(0)) { $0 + $1 * logf($1) }
        #expect(abs(h[0] - h0) < 1e-5)
        #expect(lp[1] == 0)
        var d = [Float](repeating: 0, count: n * v)
        Tensor.tokenStatsBackward(dlogits: &d, dLogProb: wLogp, dEntropy: wEnt, logits: logits, targets: targets,
                                  n: n, v: v)
        expectClose(d, numericGradient(logits, eps: 1e-3, set: { logits[$0] = $1 }, loss))
        // reusing the forward pass's lse and entropy gives the same gradient
        var lse = [Float](repeating: 0, count: n), cached = [Float](repeating: 0, count: n * v)
        Tensor.tokenStatsForward(logProb: nil, entropy: &h, lse: &lse, logits: logits, targets: targets, n: n, v: v)
        Tensor.tokenStatsBackward(dlogits: &cached, dLogProb: wLogp, dEntropy: wEnt, logits: logits, lse: lse, entropy: h,
                                  targets: targets, n: n, v: v)
        expectClose(cached, d, atol: 1e-6, rtol: 1e-5)
    }

    @Test func crossEntropyMatchesFiniteDifferences() {
        var rng = TestRandom(13)
        var logits = rng.array(n * v, scale: 2)
        let targets: [Int32] = [0, 4, -1]
        func loss() -> Double {
            var l = [Float](repeating: 0, count: n)
            return Double(Tensor.crossEntropyForward(losses: &l, logits: logits, targets: targets, n: n, v: v))
        }
        // uniform logits give exactly log V
        var losses = [Float](repeating: 0, count: n)
        let uniform = Tensor.crossEntropyForward(losses: &losses, logits: [Float](repeating: 0, count: n * v),
                                                 targets: targets, n: n, v: v)
        #expect(abs(uniform - logf(Float(v))) < 1e-6)
        var d = [Float](repeating: 0, count: n * v)
        Tensor.crossEntropyBackward(dlogits: &d, logits: logits, targets: targets, dloss: 1, n: n, v: v)
        expectClose(d, numericGradient(logits, eps: 1e-3, set: { logits[$0] = $1 }, loss))
    }
}
