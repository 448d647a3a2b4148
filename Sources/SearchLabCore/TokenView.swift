// The token-level view of a trained trajectory: what the update saw of each response token.

/// Every response token of a trained trajectory, in order: its length in the response text,
/// whether it carried gradient, and its log-probability under the policy that sampled it.
///
/// The response text is the turns' kept text and observation text, concatenated
/// (``Trajectory/turnsText``); the tokens cover it exactly, so a token's text is the next
/// `byteLengths[i]` bytes of it.
public struct TokenView: Hashable, Sendable {
    /// UTF-8 bytes of each token.
    public var byteLengths: [Int]
    /// log π_old of each token given its prefix (verl's `old_log_prob`, scored by the policy
    /// before the step's update); NaN where the scorer's window did not reach it.
    public var logProbs: [Float]
    /// Whether the token was in the policy loss (the loss mask): the policy's own tokens;
    /// retrieved (`<information>`) tokens are masked out with state masking.
    public var trained: [Bool]

    public init(byteLengths: [Int], logProbs: [Float], trained: [Bool]) {
        precondition(byteLengths.count == logProbs.count && logProbs.count == trained.count, "one entry per token")
        self.byteLengths = byteLengths
        self.logProbs = logProbs
        self.trained = trained
    }

    public var count: Int { byteLengths.count }

    /// Each token's text, cut from `response` (a token that splits a character shows the
    /// replacement character); nil when the lengths do not cover `response` exactly.
    public func pieces(of response: String) -> [String]? {
        let bytes = Array(response.utf8)
        guard byteLengths.reduce(0, +) == bytes.count else { return nil }
        var start = 0
        return byteLengths.map { length in
            defer { start += length }
            return String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        }
    }
}
