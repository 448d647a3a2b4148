// Helpers shared by the kernel tests: seeded inputs, central finite differences, and
// tolerant comparisons (kernels run in Float, so differences are checked in Double).
import Testing

/// A tiny deterministic generator for test inputs (xorshift64*).
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Float {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        let bits = (state &* 0x2545_F491_4F6C_DD1D) >> 40
        return Float(bits) / Float(1 << 24) * 2 - 1
    }
    mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in next() * scale } }
}

/// Central finite differences of `loss` with respect to every entry of an input whose
/// current values are `x`; `set(i, value)` writes entry i of the input `loss` reads.
func numericGradient(_ x: [Float], eps: Float = 1e-2, set: (Int, Float) -> Void, _ loss: () -> Double) -> [Float] {
    var grad = [Float](repeating: 0, count: x.count)
    for i in x.indices {
        set(i, x[i] + eps)
        let up = loss()
        set(i, x[i] - eps)
        let down = loss()
        set(i, x[i])
        grad[i] = Float((up - down) / Double(2 * eps))
    }
    return grad
}

/// Σ w_i · out_i in Double: a random linear functional whose gradient w.r.t. out is w.
func project(_ out: [Float], _ w: [Float]) -> Double {
    var s = 0.0
    for i in out.indices { s += Double(out[i]) * Double(w[i]) }
    return s
}

/// The largest |a − b| / (atol + rtol·|b|) over all entries; ≤ 1 means close.
func closeness(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> Float {
    precondition(a.count == b.count)
    var worst: Float = 0
    for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / (atol + rtol * abs(b[i]))) }
    return worst
}

func expectClose(_ a: [Float], _ b: [Float], atol: Float = 2e-3, rtol: Float = 2e-2,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    let c = closeness(a, b, atol: atol, rtol: rtol)
    #expect(c <= 1, "max scaled difference \(c)", sourceLocation: sourceLocation)
}
