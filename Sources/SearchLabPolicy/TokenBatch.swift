// A padded batch of token sequences, with the targets teacher forcing scores.

/// B sequences of length T, row-major, with per-position validity and targets.
///
/// Position (b, t) predicts `targets[b·T + t]` (−1 = nothing to score). Invalid
/// positions are padding: no query attends to them and they take no position slot, so a
/// sequence gets the same numbers with or without padding around it.
public struct TokenBatch: Sendable, Hashable {
    public var batchSize: Int
    public var length: Int
    public var tokens: [Int32]
    public var targets: [Int32]
    public var valid: [Bool]

    public init(batchSize: Int, length: Int, tokens: [Int32], targets: [Int32], valid: [Bool]) {
        precondition(tokens.count == batchSize * length && targets.count == tokens.count && valid.count == tokens.count,
                     "token batch arrays must all hold batchSize × length entries")
        self.batchSize = batchSize
        self.length = length
        self.tokens = tokens
        self.targets = targets
        self.valid = valid
    }

    /// Teacher forcing over whole sequences: right-padded to the longest, and position t
    /// targets token t+1, so `logProbs[b·T + t]` is log p(seq[t+1] | seq[...t]).
    public init(sequences: [[Int]], length: Int? = nil) {
        let t = length ?? sequences.map(\.count).max() ?? 0
        var tokens = [Int32](repeating: 0, count: sequences.count * t)
        var targets = [Int32](repeating: -1, count: tokens.count)
        var valid = [Bool](repeating: false, count: tokens.count)
        for (b, seq) in sequences.enumerated() {
            precondition(seq.count <= t, "sequence \(b) is longer than the batch length \(t)")
            for (i, token) in seq.enumerated() {
                tokens[b * t + i] = Int32(token)
                valid[b * t + i] = true
                if i + 1 < seq.count { targets[b * t + i] = Int32(seq[i + 1]) }
            }
        }
        self.init(batchSize: sequences.count, length: t, tokens: tokens, targets: targets, valid: valid)
    }

    /// Position ids: the number of valid tokens before each position in its row.
    public var positions: [Int32] {
        var out = [Int32](repeating: 0, count: tokens.count)
        for b in 0..<batchSize {
            var next: Int32 = 0
            for t in 0..<length where valid[b * length + t] {
                out[b * length + t] = next
                next += 1
            }
        }
        return out
    }
}
