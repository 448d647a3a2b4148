// Linear layers: out = inp · Wᵀ + bias, the shape of every projection in the model.

extension Tensor {
    /// inp is (N, C), weight is (OC, C), bias is (OC) or nil; out is (N, OC).
    public static func matmulForward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, n: Int, c: Int, oc: Int
    ) {
        gemm(transA: false, transB: true, m: n, n: oc, k: c, alpha: 1,
             a: inp, lda: c, b: weight, ldb: c, beta: 0, c: out, ldc: oc)
        if let bias { addBias(out: out, bias: bias, n: n, oc: oc) }
    }

    /// The naive twin of ``matmulForward(out:inp:weight:bias:n:c:oc:)``.
    public static func matmulForwardNaive(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, n: Int, c: Int, oc: Int
    ) {
        for row in 0..<n {
            for o in 0..<oc {
                var sum: Float = bias?[o] ?? 0
                for i in 0..<c { sum += inp[row * c + i] * weight[o * c + i] }
                out[row * oc + o] = sum
            }
        }
    }

    /// Backward of the linear layer; accumulates into dinp (N, C), dweight (OC, C), dbias (OC).
    /// `dinp` may be nil when the input needs no gradient.
    public static func matmulBackward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
        dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, oc: Int
    ) {
        // forward was out = inp · Wᵀ, so dinp = dout · W and dW = doutᵀ · inp
        if let dinp {
            gemm(transA: false, transB: false, m: n, n: c, k: oc, alpha: 1,
                 a: dout, lda: oc, b: weight, ldb: c, beta: 1, c: dinp, ldc: c)
        }
        gemm(transA: true, transB: false, m: oc, n: c, k: n, alpha: 1,
             a: dout, lda: oc, b: inp, ldb: c, beta: 1, c: dweight, ldc: c)
        if let dbias { sumRows(into: dbias, dout, n: n, oc: oc) }
    }

    /// The naive twin of ``matmulBackward(dinp:dweight:dbias:dout:inp:weight:n:c:oc:)``.
    public static func matmulBackwardNaive(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
        dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, oc: Int
    ) {
        for row in 0..<n {
            for o in 0..<oc {
                let d = dout[row * oc + o]
                for i in 0..<c {
                    dinp?[row * c + i] += d * weight[o * c + i]
                    dweight[o * c + i] += d * inp[row * c + i]
                }
                dbias?[o] += d
            }
        }
    }

    static func addBias(out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, n: Int, oc: Int) {
        for row in 0..<n {
            let o = out + row * oc
            for j in 0..<oc { o[j] += bias[j] }
        }
    }

    /// dbias[o] += Σ_rows dout[row, o]; rows are summed in order for every column.
    static func sumRows(into dbias: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, n: Int, oc: Int) {
        for row in 0..<n {
            let d = dout + row * oc
            for j in 0..<oc { dbias[j] += d[j] }
        }
    }
}
