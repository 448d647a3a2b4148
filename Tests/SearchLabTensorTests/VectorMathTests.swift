// The vectorised exp and tanh against libm over their whole useful range.
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

    @Test func tanhIsWithinTwoTenthsOfAMillionthAbsolute() {
        var worst = 0.0
        var u: Float = -12
        while u < 12 {
            let lanes = Tensor.tanh(Tensor.Lanes((0..<8).map { u + Float($0) * 1e-4 }))
            for i in 0..<8 { worst = max(worst, abs(Double(lanes[i]) - Foundation.tanh(Double(u + Float(i) * 1e-4)))) }
            u += 0.00131
        }
        #expect(worst < 2e-7, "worst absolute error \(worst)")
        #expect(Tensor.tanh(Tensor.Lanes(repeating: 0))[3] == 0)
        #expect(Tensor.tanh(Tensor.Lanes(repeating: 50))[0] == 1 && Tensor.tanh(Tensor.Lanes(repeating: -50))[0] == -1)
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
