// Shared helpers for the policy tests.
import SearchLabPolicy
import SearchLabTensor
import Testing

/// A deterministic generator for test inputs (xorshift64*), independent of the code under test.
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Float {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        let bits = (state &* 0x2545_F491_4F6C_DD1D) >> 40
        return Float(bits) / Float(1 << 24) * 2 - 1
    }
    mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in next() * scale } }
    mutating func token(_ v: Int) -> Int { Int((next() + 1) / 2 * Float(v)) % v }
}

/// A model small enough for whole-model finite differences.
func microModel(valueHead: Bool = false, seed: UInt64 = 1) -> Transformer {
    let config = TransformerConfig(vocabSize: 11, contextLength: 8, width: 8, depth: 2, heads: 2, valueHead: valueHead)
    let model = try! Transformer(config: config)
    model.initialize(seed: seed)
    // larger random weights than the GPT-2 init, so every nonlinearity is exercised
    var rng = TestRandom(seed)
    for i in 0..<model.parameters.count { model.parameters[i] += rng.next() * 0.3 }
    return model
}

func sumProduct(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
}
