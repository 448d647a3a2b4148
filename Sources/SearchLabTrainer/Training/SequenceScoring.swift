// Teacher-forced scoring of rollout rows, mapped between sequence positions and the B×L
// response matrices the losses use.
import SearchLabPolicy

/// Rows of a `RolloutBatch` as the model sees them: each sequence keeps its last
/// `context` tokens; response tokens that fall outside the window cannot be scored and
/// are masked out of every loss.
public struct ScoringWindow: Sendable {
    public let rows: [Int]
    public let shape: TokenShape
    /// `index[r·L + t]` = flat index into the model's `[rows × T]` output for response token t
    /// of row r, or −1 when outside the window.
    let index: [Int]
    public let tokenBatch: TokenBatch

    public init(batch: RolloutBatch, rows: [Int], context: Int) {
        let length = batch.shape.length
        var windows: [[Int]] = []
        var index = [Int](repeating: -1, count: rows.count * length)
        let width = rows.map { min(batch.sequences[$0].count, context) }.max() ?? 0
        for (r, row) in rows.enumerated() {
            let sequence = batch.sequences[row]
            let offset = max(0, sequence.count - context)
            windows.append(Array(sequence[offset...]))
            let responseCount = sequence.count - batch.promptLengths[row]
            for t in 0..<responseCount {
                // The log-prob of the token at position p is predicted at position p − 1.
                let predictedAt = batch.promptLengths[row] + t - offset - 1
                if predictedAt >= 0 { index[r * length + t] = r * width + predictedAt }
            }
        }
        self.rows = rows
        self.shape = TokenShape(rows: rows.count, length: length)
        self.index = index
        self.tokenBatch = TokenBatch(sequences: windows, length: width)
    }

    /// 1 where the response token can be scored in this window.
    public var scorable: [Double] { index.map { $0 >= 0 ? 1 : 0 } }

    /// Model outputs (`[rows × T]`) gathered into the response matrix.
    public func gather(_ perPosition: [Float]) -> [Double] {
        index.map { $0 >= 0 ? Double(perPosition[$0]) : 0 }
    }

    /// A response-matrix gradient scattered back to model positions.
    public func scatter(_ gradient: [Double]) -> [Float] {
        var out = [Float](repeating: 0, count: tokenBatch.batchSize * tokenBatch.length)
        for (k, i) in index.enumerated() where i >= 0 { out[i] += Float(gradient[k]) }
        return out
    }

    /// The rows of a whole-batch matrix that belong to this window.
    public func slice(_ matrix: [Double], from full: TokenShape) -> [Double] {
        rows.flatMap { matrix[full.row($0)] }
    }
}

/// A micro-batch cut into one part per worker, so that its forward and backward passes run on
/// all workers at once. The micro-batch's rows are the parts' rows in order; its loss is
/// computed whole, between the parts' forward and backward passes.
struct MicroBatchParts {
    let parts: [ScoringWindow]
    /// The micro-batch's response matrix, rows of part 0 first.
    let shape: TokenShape

    /// Deals `rows` (sorted by length) out to `partCount` parts in turn, so each part gets
    /// rows of every length and the workers finish together.
    init(batch: RolloutBatch, rows: [Int], context: Int, partCount: Int) {
        let count = max(1, min(partCount, rows.count))
        parts = (0..<count).map { k in
            ScoringWindow(batch: batch, rows: Array(stride(from: k, to: rows.count, by: count).map { rows[$0] }), context: context)
        }
        shape = TokenShape(rows: rows.count, length: batch.shape.length)
    }

    /// Per-part model outputs gathered into the micro-batch's response matrix.
    func gather(_ perPart: [[Float]]) -> [Double] {
        zip(parts, perPart).flatMap { $0.gather($1) }
    }

    /// The rows of a whole-batch matrix that belong to this micro-batch, in its row order.
    func slice(_ matrix: [Double], from full: TokenShape) -> [Double] {
        parts.flatMap { $0.slice(matrix, from: full) }
    }

    /// A micro-batch gradient split by part and scattered back to each part's positions.
    func scatter(_ gradient: [Double]) -> [[Float]] {
        var start = 0
        return parts.map { part in
            defer { start += part.shape.count }
            return part.scatter(Array(gradient[start..<(start + part.shape.count)]))
        }
    }
}
