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
        var maxv = -Float.infinity
        for i in 0..<v { maxv = max(maxv, z[i]) }
        var sum: Float = 0
        for i in 0..<v { sum += expf(z[i] - maxv) }
        return maxv + logf(sum)
    }

    /// Per-row token statistics from logits (N, V): logProb[n] = log softmax(z)[targets[n]]
    /// (0 where targets[n] < 0) and entropy[n] = −Σ p log p. Either output may be nil.
    public static func tokenStatsForward(
        logProb: UnsafeMutablePointer<Float>?, entropy: UnsafeMutablePointer<Float>?,
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        parallelFor(n, minChunk: 4) { row in
            let z = logits + row * v
            let lse = logSumExp(z, v)
            let target = Int(targets[row])
            logProb?[row] = target >= 0 ? z[target] - lse : 0
            if let entropy {
                // H = lse − Σ p·z
                var pz: Float = 0
                for i in 0..<v { pz += expf(z[i] - lse) * z[i] }
                entropy[row] = lse - pz
            }
        }
    }

    /// Backward of ``tokenStatsForward(logProb:entropy:logits:targets:n:v:)``: given
    /// dLogProb (N) and dEntropy (N) (either may be nil), accumulates into dlogits (N, V).
    public static func tokenStatsBackward(
        dlogits: UnsafeMutablePointer<Float>, dLogProb: UnsafePointer<Float>?, dEntropy: UnsafePointer<Float>?,
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        // d logp_t / dz_i = [i = t] − p_i;  dH/dz_i = −p_i · (log p_i + H)
        parallelFor(n, minChunk: 4) { row in
            let z = logits + row * v
            let dz = dlogits + row * v
            let target = Int(targets[row])
            let dlp = target >= 0 ? (dLogProb?[row] ?? 0) : 0
            let dh = dEntropy?[row] ?? 0
            if dlp == 0 && dh == 0 { return }
            let lse = logSumExp(z, v)
            var h: Float = 0
            if dh != 0 {
                var pz: Float = 0
                for i in 0..<v { pz += expf(z[i] - lse) * z[i] }
                h = lse - pz
            }
            for i in 0..<v {
                let logp = z[i] - lse
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
