// Embedding, RMSNorm, GELU and residual kernels.
import CSearchLabKernels
import Foundation

extension Tensor {
    // MARK: - Embedding

    /// out (N, C) = wte[tokens[n]] + wpe[positions[n]]; wte is (V, C), wpe is (maxT, C).
    public static func embeddingForward(
        out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
        wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, n: Int, c: Int
    ) {
        for row in 0..<n {
            let o = out + row * c
            let t = wte + Int(tokens[row]) * c
            let p = wpe + Int(positions[row]) * c
            for i in 0..<c { o[i] = t[i] + p[i] }
        }
    }

    /// Scatter-adds dout into the rows of dwte and dwpe that the forward pass read.
    public static func embeddingBackward(
        dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>, n: Int, c: Int
    ) {
        for row in 0..<n {
            let d = dout + row * c
            let t = dwte + Int(tokens[row]) * c
            let p = dwpe + Int(positions[row]) * c
            for i in 0..<c {
                t[i] += d[i]
                p[i] += d[i]
            }
        }
    }

    // MARK: - RMSNorm

    /// The ε inside RMSNorm's square root.
    public static let rmsEpsilon: Float = 1e-5

    /// out (N, C) = inp · rstd · weight with rstd = 1/√(mean(inp²) + ε), cached in rstd (N).
    public static func rmsNormForward(
        out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int
    ) {
        parallelFor(n, minChunk: 64) { row in
            let x = inp + row * c
            let o = out + row * c
            var ss: Float = 0
            for i in 0..<c { ss += x[i] * x[i] }
            let r = 1 / (ss / Float(c) + rmsEpsilon).squareRoot()
            rstd[row] = r
            for i in 0..<c { o[i] = x[i] * r * weight[i] }
        }
    }

    /// Backward of RMSNorm; accumulates into dinp (N, C) and dweight (C).
    public static func rmsNormBackward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, n: Int, c: Int
    ) {
        // forward: y_i = x_i · r · w_i, r = (Σx²/C + ε)^(-1/2), so
        // dx_i = r·w_i·dy_i − x_i · r³/C · Σ_j dy_j·w_j·x_j
        parallelFor(n, minChunk: 64) { row in
            let x = inp + row * c
            let d = dout + row * c
            let dx = dinp + row * c
            let r = rstd[row]
            var dot: Float = 0
            for i in 0..<c { dot += d[i] * weight[i] * x[i] }
            let k = dot * r * r * r / Float(c)
            for i in 0..<c { dx[i] += r * weight[i] * d[i] - x[i] * k }
        }
        // the weight gradient sums over rows; one pass per column keeps the order fixed
        for row in 0..<n {
            let x = inp + row * c
            let d = dout + row * c
            let r = rstd[row]
            for i in 0..<c { dweight[i] += d[i] * x[i] * r }
        }
    }

    // MARK: - GELU (tanh approximation, as in GPT-2)

    /// out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise over `count` values;
    /// `out` may be `inp`. The C kernel (CSearchLabKernels) uses the machine's widest vectors
    /// and gives the same bits on every one.
    public static func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        parallelRanges(count, minChunk: 16384) { r in searchlab_gelu_forward(out + r.lowerBound, inp + r.lowerBound, r.count) }
    }

    /// Backward of GELU; accumulates into dinp.
    public static func geluBackward(
        dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int
    ) {
        parallelRanges(count, minChunk: 16384) { r in
            searchlab_gelu_backward(dinp + r.lowerBound, inp + r.lowerBound, dout + r.lowerBound, r.count)
        }
    }

    // MARK: - Residual

    /// out = a + b over `count` values.
    public static func residualForward(
        out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    /// total += part over `count` values (summing replicas' gradients).
    public static func add(into total: UnsafeMutablePointer<Float>, _ part: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { total[i] += part[i] }
    }

    /// Backward of the residual: both inputs receive dout.
    public static func residualBackward(
        da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            da[i] += dout[i]
            db[i] += dout[i]
        }
    }
}
