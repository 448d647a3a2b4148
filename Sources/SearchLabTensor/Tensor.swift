// SearchLabTensor: CPU kernels as forward/backward pairs over flat Float buffers, in the
// style of llm.c. This module is the only importer of OpenBLAS.
//
// Conventions (every kernel):
// - arguments come as outputs, then inputs, then dimensions;
// - dimensions: N = rows (B·T), B = batch, T = sequence length, C = channels,
//   OC = output channels, NH = heads, hs = head size (C / NH), V = vocabulary;
// - backward kernels ACCUMULATE (`+=`) into their gradient buffers, so one zeroing per
//   step serves all micro-batches of a gradient-accumulation cycle;
// - work is split only over independent outputs, so no sum depends on the thread count.
import COpenBLAS
import Foundation

/// Namespace of the tensor kernels.
public enum Tensor {
    /// `C = alpha · op(A) · op(B) + beta · C`, row-major, through `cblas_sgemm`.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the
    /// row strides of the stored (untransposed) matrices, so strided head slices need no copy.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The naive twin of ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
    /// the algorithmic reference the BLAS path is tested against.
    public static func gemmNaive(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += av * bv
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }

    /// Sets OpenBLAS's thread count (1 makes every sum order fixed, for golden tests).
    public static func setBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// OpenBLAS's current thread count.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// Runs `body(i)` for `i` in `0..<count`, spread over the cores in contiguous chunks.
    /// Callers write only to outputs owned by `i`, so results never depend on scheduling.
    public static func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
        parallelRanges(count, minChunk: minChunk) { range in
            for i in range { body(i) }
        }
    }

    /// Cuts `0..<count` into at most one contiguous range per core, each of at least
    /// `minChunk` indices (a single range when there are too few), and runs `body` on each
    /// at once. Callers write only to outputs owned by their range.
    public static func parallelRanges(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let chunks = min(workers, max(1, count / max(1, minChunk)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        let per = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            // the chunks touch disjoint outputs (the caller's contract), so sharing is safe
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * per
                let end = min(count, start + per)
                if start < end { shared.value(start..<end) }
            }
        }
    }
}

/// Carries a value the compiler cannot prove Sendable into `concurrentPerform`.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
