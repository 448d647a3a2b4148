// The vectorised exp against libm over its whole useful range; the GELU kernel against its
// scalar definition.
import Foundation
@testable import SearchLabTensor
import Testing

struct VectorMathTests {
    @Test func expIsWithinTwoTenthsOfAMillionthRelative() {
        var worst = 0.0
        var x: Float = -87
        while x < 88.3 {
            let lanes = Tensor.exp(Tensor.Lanes((0..<8).map { x + Float($0) * 0.001 }))
            for i in 0..<8 {
                let exact = Foundation.exp(Double(x + Float(i) * 0.001))
                worst = max(worst, abs(Double(lanes[i]) - exact) / exact)
            }
            x += 0.0173
        }
        #expect(worst < 2e-7, "worst relative error \(worst)")
        #expect(Tensor.exp(Tensor.Lanes(repeating: -200))[0] >= 0)
        #expect(Tensor.exp(Tensor.Lanes(repeating: 0))[0] == 1)
    }

    /// The C kernel's GELU, operation by operation in scalar Swift (the exp from the lanes).
    static func referenceGELU(_ x: Float) -> Float {
        let u = Float((2.0 / Double.pi).squareRoot()) * (x + 0.044715 * x * x * x)
        let a = min(abs(u), 10)
        let t = 1 - 2 / (Tensor.exp(Tensor.Lanes(repeating: 2 * a))[0] + 1)
        return 0.5 * x * (1 + (u < 0 ? -t : t))
    }

    @Test func geluEqualsItsScalarDefinitionBitForBitAndTanhGELUWithinAMillionth() {
        var inputs = stride(from: Float(-30), to: 30, by: 0.000_731).map { $0 }
        inputs += [0, -0, 1e-30, -1e-30, 88, -88, 1e6, -1e6, .infinity, .greatestFiniteMagnitude]
        var out = [Float](repeating: 0, count: inputs.count)
        Tensor.geluForward(out: &out, inp: inputs, count: inputs.count)
        var worst = 0.0, differing = 0
        for (x, y) in zip(inputs, out) {
            if y.bitPattern != Self.referenceGELU(x).bitPattern { differing += 1 }
            guard x.magnitude < 30 else { continue }
            let d = Double(x)
            let exact = 0.5 * d * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d)))
            worst = max(worst, abs(Double(y) - exact) / max(1, abs(exact)))
        }
        #expect(differing == 0, "\(differing) of \(inputs.count) values differ from the scalar definition")
        #expect(worst < 1e-6, "worst error \(worst)")
        #expect(out[inputs.count - 2] == .infinity && out[inputs.count - 3] == -0.0)
    }

    @Test func geluRunsInPlace() {
        let values = (0..<1000).map { Float($0) * 0.013 - 6 }
        var expected = [Float](repeating: 0, count: values.count)
        Tensor.geluForward(out: &expected, inp: values, count: values.count)
        var inPlace = values
        inPlace.withUnsafeMutableBufferPointer { Tensor.geluForward(out: $0.baseAddress!, inp: $0.baseAddress!, count: values.count) }
        #expect(inPlace == expected)
    }

    @Test func geluDoesNotDependOnWhereAValueSitsInABlock() {
        let values = (0..<37).map { Float($0) * 0.37 - 6 }
        var whole = [Float](repeating: 0, count: 37)
        values.withUnsafeBufferPointer { Tensor.geluForward(out: &whole, inp: $0.baseAddress!, count: 37) }
        for offset in 1..<8 {
            var shifted = [Float](repeating: 0, count: 37 - offset)
            Array(values[offset...]).withUnsafeBufferPointer { Tensor.geluForward(out: &shifted, inp: $0.baseAddress!, count: 37 - offset) }
            #expect(shifted == Array(whole[offset...]))
        }
    }
}
