// Softmax, log-softmax, and the per-token statistics a policy-gradient loss needs:
// log-probability of a chosen token, entropy, and cross-entropy.
import Foundation

extension Tensor {
    /// probs (N, V) = softmax of each row of logits (N, V).
    public static func softmaxForward(probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        parallelFor(n, minChunk: 4) { row in
            let z = logits + row * v
            let p = probs + row * v
            let lse = logSumExp(z, v)
            for i in 0..<v { p[i] = expf(z[i] - lse) }
        }
    }

    /// Backward of softmax: dlogits += p ⊙ (dprobs − Σ p·dprobs).
    public static func softmaxBackward(
        dlogits: UnsafeMutablePointer<Float>, dprobs: UnsafePointer<Float>, probs: UnsafePointer<Float>, n: Int, v: Int
    ) {
        parallelFor(n, minChunk: 4) { row in
            let p = probs + row * v
            let d = dprobs + row * v
            var dot: Float = 0
            for i in 0..<v { dot += p[i] * d[i] }
            for i in 0..<v { dlogits[row * v + i] += p[i] * (d[i] - dot) }
        }
    }

    /// out (N, V) = log-softmax of each row of logits.
    public static func logSoftmaxForward(out: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        parallelFor(n, minChunk: 4) { row in
            let z = logits + row * v
            let lse = logSumExp(z, v)
            for i in 0..<v { out[row * v + i] = z[i] - lse }
        }
    }

    /// Backward of log-softmax: dlogits += dout − softmax · Σ dout.
    public static func logSoftmaxBackward(
        dlogits: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, n: Int, v: Int
    ) {
        parallelFor(n, minChunk: 4) { row in
            let d = dout + row * v
            var total: Float = 0
            for i in 0..<v { total += d[i] }
            for i in 0..<v { dlogits[row * v + i] += d[i] - expf(out[row * v + i]) * total }
        }
    }

    /// log Σ exp(z_i), shifted by the maximum for stability.
    @inline(__always)
    static func logSumExp(_ z: UnsafePointer<Float>, _ v: Int) -> Float {
        let maxv = maximum(z, count: v)
        var sum: Float = 0
        for i in 0..<v { sum += expf(z[i] - maxv) }
        return maxv + logf(sum)
    }

    /// Per-row token statistics from logits (N, V): logProb[n] = log softmax(z)[targets[n]]
    /// (0 where targets[n] < 0), entropy[n] = −Σ p log p, and lse[n] = log Σ exp z (kept
    /// so backward needs no second pass). Any output may be nil.
    public static func tokenStatsForward(
        logProb: UnsafeMutablePointer<Float>?, entropy: UnsafeMutablePointer<Float>?,
        lse: UnsafeMutablePointer<Float>? = nil,
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        parallelFor(n, minChunk: 4) { row in
            let z = logits + row * v
            let stats = rowStats(z, v)
            let target = Int(targets[row])
            logProb?[row] = target >= 0 ? z[target] - stats.lse : 0
            entropy?[row] = stats.entropy
            lse?[row] = stats.lse
        }
    }

    /// log Σ exp z and the entropy of softmax(z) from one exponential pass:
    /// with e_i = exp(z_i − max), H = log Σe − Σ e·(z − max) / Σe.
    @inline(__always)
    static func rowStats(_ z: UnsafePointer<Float>, _ v: Int) -> (lse: Float, entropy: Float) {
        let maxv = maximum(z, count: v)
        // Eight lanes at a time (the vocabulary's exponentials dominate scoring); the tail
        // lanes are zeroed so they add nothing.
        var sums = Lanes.zero, ezs = Lanes.zero
        var i = 0
        while i < v {
            let n = min(8, v - i)
            let shifted = load(z + i, n) - maxv
            var e = exp(shifted)
            if n < 8 { for lane in n..<8 { e[lane] = 0 } }
            sums += e
            ezs += e * shifted
            i += 8
        }
        let sum = sums.sum(), ez = ezs.sum()
        let logSum = logf(sum)
        return (maxv + logSum, logSum - ez / sum)
    }

    /// Backward of ``tokenStatsForward(logProb:entropy:lse:logits:targets:n:v:)``: given
    /// dLogProb (N) and dEntropy (N) (either may be nil), accumulates into dlogits (N, V).
    /// `lse` and `entropy` from the forward pass are reused when given, else recomputed.
    public static func tokenStatsBackward(
        dlogits: UnsafeMutablePointer<Float>, dLogProb: UnsafePointer<Float>?, dEntropy: UnsafePointer<Float>?,
        logits: UnsafePointer<Float>, lse: UnsafePointer<Float>? = nil, entropy: UnsafePointer<Float>? = nil,
        targets: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        // d logp_t / dz_i = [i = t] − p_i;  dH/dz_i = −p_i · (log p_i + H)
        parallelFor(n, minChunk: 4) { row in
            let z = logits + row * v
            let dz = dlogits + row * v
            let target = Int(targets[row])
            let dlp = target >= 0 ? (dLogProb?[row] ?? 0) : 0
            let dh = dEntropy?[row] ?? 0
            if dlp == 0 && dh == 0 { return }
            let rowLSE: Float, h: Float
            if let lse, let entropy {
                (rowLSE, h) = (lse[row], entropy[row])
            } else {
                (rowLSE, h) = rowStats(z, v)
            }
            for i in 0..<v {
                let logp = z[i] - rowLSE
                let p = expf(logp)
                dz[i] += -dlp * p - dh * p * (logp + h)
            }
            if target >= 0 { dz[target] += dlp }
        }
    }

    /// Mean cross-entropy over rows with targets ≥ 0; losses (N) gets each row's −log p.
    /// - Returns: the mean loss (0 when no row has a target).
    @discardableResult
    public static func crossEntropyForward(
        losses: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, n: Int, v: Int
    ) -> Float {
        tokenStatsForward(logProb: losses, entropy: nil, logits: logits, targets: targets, n: n, v: v)
        var total: Double = 0
        var count = 0
        for row in 0..<n where targets[row] >= 0 {
            losses[row] = -losses[row]
            total += Double(losses[row])
            count += 1
        }
        return count == 0 ? 0 : Float(total / Double(count))
    }

    /// Backward of the mean cross-entropy, scaled by dloss; accumulates into dlogits (N, V).
    public static func crossEntropyBackward(
        dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        dloss: Float, n: Int, v: Int
    ) {
        var count = 0
        for row in 0..<n where targets[row] >= 0 { count += 1 }
        if count == 0 { return }
        let dlp = [Float](repeating: -dloss / Float(count), count: n)
        dlp.withUnsafeBufferPointer { d in
            tokenStatsBackward(dlogits: dlogits, dLogProb: d.baseAddress, dEntropy: nil,
                               logits: logits, targets: targets, n: n, v: v)
        }
    }
}
