// What one pretraining step reads: whole demonstrations, each in its own row from position 0
// with the loss on the agent's own words only, mixed with packed corpus text scored everywhere.
import SearchLabCore
import SearchLabPolicy

/// A demonstration as the model sees it at rollout time: token ids and, per token, whether
/// the agent wrote it (and so whether the language-model loss scores it).
public struct DemonstrationRow: Hashable, Sendable {
    public var tokens: [Int]
    public var written: [Bool]

    public init(tokens: [Int], written: [Bool]) {
        precondition(tokens.count == written.count, "one written flag per token")
        self.tokens = tokens
        self.written = written
    }

    /// The rows of `trajectory`, tokenised segment by segment as the rollout loop does
    /// (prompt, then each turn's kept text, then its observation). Prompt and observation
    /// tokens are context only: the policy never writes them, so learning to predict them
    /// would teach it to continue a retrieved passage instead of reasoning about it.
    ///
    /// A demonstration that fits `contextLength` is one row. A longer one gives one row per
    /// turn: the last `contextLength` tokens up to the end of that turn, scoring that turn
    /// only — exactly the window the rolling context shows the policy when it writes it.
    public static func rows(of trajectory: Trajectory, tokenizer: some TextTokenizer, contextLength: Int) -> [DemonstrationRow] {
        var tokens = tokenizer.encode(trajectory.prompt)
        var turnRanges: [Range<Int>] = []
        for turn in trajectory.turns {
            let kept = tokenizer.encode(turn.text)
            turnRanges.append(tokens.count..<(tokens.count + kept.count))
            tokens += kept
            if let observation = turn.observation { tokens += tokenizer.encode(observation.text) }
        }
        func written(_ ranges: [Range<Int>]) -> [Bool] {
            var flags = [Bool](repeating: false, count: tokens.count)
            for range in ranges { for i in range { flags[i] = true } }
            return flags
        }
        if tokens.count <= contextLength { return [DemonstrationRow(tokens: tokens, written: written(turnRanges))] }
        return turnRanges.filter { !$0.isEmpty }.map { range in
            let start = max(0, range.upperBound - contextLength)
            let flags = written([range])
            return DemonstrationRow(tokens: Array(tokens[start..<range.upperBound]), written: Array(flags[start..<range.upperBound]))
        }
    }
}

/// The rows of every pretraining step: a seeded order over demonstration rows (reshuffled
/// each pass) and windows of the packed corpus, both functions of the step alone so a step's batch
/// never depends on what ran before it.
struct PretrainData {
    let demonstrations: [DemonstrationRow]
    let corpus: PackedStream
    let demonstrationRows: Int
    let corpusRows: Int
    let seed: UInt64

    /// The token batch of `step`: demonstration rows first, then corpus rows.
    func batch(step: Int) -> TokenBatch {
        let first = step * demonstrationRows
        // Each pass the step reaches into has its order drawn once, not once per row.
        var orders: [Int: [Int]] = [:]
        let demos = (first..<(first + demonstrationRows)).map { index in
            let pass = index / demonstrations.count
            if orders[pass] == nil { orders[pass] = order(pass: pass) }
            return demonstrations[orders[pass]![index % demonstrations.count]]
        }
        let texts = corpusRows == 0 ? [] : corpus.rows(step: step, count: corpusRows)
        let length = (demos.map(\.tokens.count) + texts.map(\.count)).max() ?? 0
        let rows = demos.map { ($0.tokens, $0.written) } + texts.map { ($0, [Bool](repeating: true, count: $0.count)) }
        var tokens = [Int32](repeating: 0, count: rows.count * length)
        var targets = [Int32](repeating: -1, count: tokens.count)
        var valid = [Bool](repeating: false, count: tokens.count)
        for (b, (row, scored)) in rows.enumerated() {
            for (i, token) in row.enumerated() {
                tokens[b * length + i] = Int32(token)
                valid[b * length + i] = true
                // Position i predicts token i+1; score it only if the agent wrote token i+1.
                if i + 1 < row.count && scored[i + 1] { targets[b * length + i] = Int32(row[i + 1]) }
            }
        }
        return TokenBatch(batchSize: rows.count, length: length, tokens: tokens, targets: targets, valid: valid)
    }

    /// The seeded order of the demonstration rows in pass `pass`.
    func order(pass: Int) -> [Int] {
        var order = Array(demonstrations.indices)
        var random = RandomStream(seed: seed, purpose: "pretrain.demonstration-order", UInt64(pass))
        order.shuffle(using: &random)
        return order
    }
}
