// AdamW with decoupled weight decay, global-norm clipping, and the learning-rate schedule.
import Foundation
import SearchLabTensor

/// AdamW (Loshchilov & Hutter): Adam moments plus weight decay applied to the weights
/// directly (θ ← θ − lr·λ·θ), not through the gradient.
public final class AdamW: @unchecked Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// First and second moments, laid out like the parameters.
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Number of updates applied so far (the bias-correction exponent).
    public var step: Int = 0

    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8,
                weightDecay: Float = 0.1) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
    }

    /// One update of `parameters` from `gradients`; weight decay only inside `decayed`.
    public func update(parameters: FloatBuffer, gradients: FloatBuffer, learningRate lr: Float,
                       decayed: [Range<Int>]) {
        precondition(parameters.count == m.count && gradients.count == m.count, "optimizer/parameter sizes differ")
        step += 1
        let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
        let p = parameters.pointer, g = gradients.pointer, m = m.pointer, v = v.pointer
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        func run(_ range: Range<Int>, lambda: Float) {
            Tensor.parallelFor(range.count, minChunk: 65536) { j in
                let i = range.lowerBound + j
                let gi = g[i]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                let mhat = m[i] / c1, vhat = v[i] / c2
                p[i] -= lr * (mhat / (vhat.squareRoot() + eps) + lambda * p[i])
            }
        }
        var cursor = 0
        for range in decayed.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if cursor < range.lowerBound { run(cursor..<range.lowerBound, lambda: 0) }
            run(range, lambda: weightDecay)
            cursor = range.upperBound
        }
        if cursor < parameters.count { run(cursor..<parameters.count, lambda: 0) }
    }

    /// Scales `gradients` so their global L2 norm is at most `maxNorm`.
    /// - Returns: the norm before clipping.
    @discardableResult
    public static func clipGradientNorm(_ gradients: FloatBuffer, maxNorm: Float) -> Float {
        var sum = 0.0
        for i in 0..<gradients.count { sum += Double(gradients[i]) * Double(gradients[i]) }
        let norm = Float(sum.squareRoot())
        if norm > maxNorm, norm > 0 {
            let s = maxNorm / norm
            for i in 0..<gradients.count { gradients.pointer[i] *= s }
        }
        return norm
    }
}

/// Learning rate as a function of the step: linear warmup, then constant or cosine decay.
public struct LRSchedule: Codable, Hashable, Sendable {
    public enum Decay: String, Codable, Sendable { case constant, cosine }
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var decay: Decay
    /// The floor of the cosine, as a fraction of `peak`.
    public var minRatio: Float

    public init(peak: Float, warmupSteps: Int = 0, totalSteps: Int = 1, decay: Decay = .constant, minRatio: Float = 0.1) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
        self.minRatio = minRatio
    }

    /// The rate for 0-based `step`: (step+1)/warmup·peak during warmup, then the decay.
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        switch decay {
        case .constant: return peak
        case .cosine:
            let span = max(1, totalSteps - warmupSteps)
            let progress = min(1, Float(step - warmupSteps) / Float(span))
            let floor = peak * minRatio
            return floor + (peak - floor) * 0.5 * (1 + cosf(Float.pi * progress))
        }
    }
}
