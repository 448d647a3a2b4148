// From rollouts to the B × L token matrices the estimators and losses read.
import SearchLabCore

/// A batch of rollouts laid out for one training step.
///
/// Row i is rollout i; column t is its t-th response token (right-padded to the longest
/// response). The outcome score sits on the last response token, as in verl (that token may
/// belong to an `<information>` block when a trajectory ends on a search).
public struct RolloutBatch: Sendable {
    public let shape: TokenShape
    /// 1 on every response token, observations included.
    public let responseMask: [Double]
    /// 1 on tokens the policy wrote (verl's `info_mask`), 0 on observation tokens and padding.
    public let infoMask: [Double]
    /// The reward of each row at its last response token, 0 elsewhere.
    public let tokenScores: [Double]
    /// The outcome reward of each row.
    public let scores: [Double]
    /// GRPO / RLOO group key of each row.
    public let groupIDs: [String]
    /// Prompt + response token ids of each row: what the policy scores.
    public let sequences: [[Int]]
    /// Prompt length of each row: response token t sits at sequence position `promptLengths[i] + t`.
    public let promptLengths: [Int]

    /// - Parameter groupIDs: one group key per sample (see `BatchPreparation.groupID`).
    public init(samples: [RolloutSample], groupIDs: [String]) {
        precondition(samples.count == groupIDs.count, "one group id per sample")
        let length = samples.map(\.responseTokens.count).max() ?? 0
        let shape = TokenShape(rows: samples.count, length: length)
        var response = [Double](repeating: 0, count: shape.count)
        var info = [Double](repeating: 0, count: shape.count)
        var tokenScores = [Double](repeating: 0, count: shape.count)
        for (i, sample) in samples.enumerated() {
            let base = i * length
            for (t, generated) in sample.generatedMask.enumerated() {
                response[base + t] = 1
                info[base + t] = generated ? 1 : 0
            }
            if !sample.responseTokens.isEmpty {
                tokenScores[base + sample.responseTokens.count - 1] = sample.trajectory.outcome.reward
            }
        }
        self.shape = shape
        self.responseMask = response
        self.infoMask = info
        self.tokenScores = tokenScores
        self.scores = samples.map(\.trajectory.outcome.reward)
        self.groupIDs = groupIDs
        self.sequences = samples.map { $0.promptTokens + $0.responseTokens }
        self.promptLengths = samples.map(\.promptTokens.count)
    }

    /// Gathers per-position values of row `i`'s sequence (e.g. log-probs of each token given
    /// its prefix, indexed by the position of the token) into the row's response columns.
    ///
    /// - Parameter perToken: `perToken(i)[p]` is the value for sequence token `p` (p ≥ 1).
    public func responseMatrix(_ perToken: (Int) -> [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: shape.count)
        for i in 0..<shape.rows {
            let values = perToken(i)
            let start = promptLengths[i]
            for t in 0..<(sequences[i].count - start) { out[i * shape.length + t] = values[start + t] }
        }
        return out
    }
}
