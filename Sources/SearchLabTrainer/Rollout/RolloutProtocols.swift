// What the rollout loop needs from a policy and a tokenizer. The transformer policy and
// the scripted demonstration agent both conform, so the loop is written once.
import SearchLabCore

/// Text ↔ token ids. Must be lossless: `decode(encode(s)) == s` for every string.
public protocol TextTokenizer: Sendable {
    func encode(_ text: String) -> [Int]
    func decode(_ tokens: [Int]) -> String
}

/// One row of a turn's generation request.
public struct TurnRequest: Sendable {
    /// Global id of the sampled sequence; with `turn` it keys the sampling stream, so a
    /// row's tokens never depend on which other rows share the batch.
    public var sequenceID: UInt64
    /// 0-based turn number.
    public var turn: Int
    /// The rolling context (prompt + previous turns and observations), left-truncated.
    public var context: [Int]
    /// The question this row answers (scripted agents read it; a learned policy must not).
    public var question: Question
    /// The text of the trajectory so far (prompt + response), for text-level policies.
    public var contextText: String

    public init(sequenceID: UInt64, turn: Int, context: [Int], question: Question, contextText: String) {
        self.sequenceID = sequenceID
        self.turn = turn
        self.context = context
        self.question = question
        self.contextText = contextText
    }
}

/// What a policy produced for one row in one turn.
public struct GeneratedTurn: Sendable {
    /// The decoded generation, before Search-R1's truncation.
    public var text: String
    /// The sampled token ids (empty for text-only policies).
    public var tokens: [Int]

    public init(text: String, tokens: [Int]) {
        self.text = text
        self.tokens = tokens
    }
}

/// Generates one turn for a batch of rows.
public protocol TurnPolicy {
    /// Returns one generation per request, in order.
    mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn]
}

/// An engine that answers each row of a batch apart (a replay answers every row as that
/// row was answered when it was recorded, even where two rows asked the same query of an
/// engine whose answer depends on the asker: `random`, `oracle`).
public protocol RowAwareSearchEngine: SearchEngine {
    /// `rows[i]` is the batch row (index into the loop's questions) that asked `queries[i]`.
    func search(_ queries: [String], rows: [Int], turn: Int, topK: Int) async throws -> [[SearchHit]]
}
