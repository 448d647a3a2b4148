// Where a replay first parts from the recording: which turn, which part of it (the policy's
// generation or the environment's observation), which token, what was expected and what came
// back, and why. Turns are compared in the order the loop produced them, so the first
// difference is the cause and everything after it a consequence.
import SearchLabAnalysis
import SearchLabCore
import SearchLabPolicy

/// The first place a replay differs from the recording.
public struct ReplayDivergence: Codable, Hashable, Sendable {
    /// Why the two part ways.
    public enum Cause: String, Codable, Sendable {
        /// Same context, another sampled token: different weights, settings or numerics.
        case logits = "different_logits"
        /// The engine returned other documents for the same query.
        case retrieval = "different_retrieval"
        /// Same documents, another observation text (truncation or tokenizer).
        case observation = "different_observation"
        /// The prompt differs (template or question text).
        case prompt = "different_prompt"
        /// The trailing text after the last turn differs.
        case trailing = "different_trailing"
    }

    public enum Part: String, Codable, Sendable { case prompt, generation, observation, trailing }

    /// 0-based turn, nil for the prompt and trailing text.
    public var turn: Int?
    public var part: Part
    /// 0-based token position within the part (the replay's tokens for a generation).
    public var tokenPosition: Int
    /// The recording's token at that position (its text), or `(end)`.
    public var expected: String
    /// The replay's token there, or `(end)`.
    public var got: String
    public var cause: Cause
    /// One line on what differs, e.g. which ranked document.
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case turn, part, expected, got, cause, detail
        case tokenPosition = "token_position"
    }
}

enum DivergenceFinder {
    /// The first divergence of `replayed` from `recorded`, nil when both render identically
    /// and every turn generated the same raw text.
    /// - Parameter sampled: the replay's sampled tokens per turn, when known.
    static func first(recorded: Trajectory, replayed: Trajectory, sampled: [Int: [Int]], tokenizer: Tokenizer) -> ReplayDivergence? {
        func at(_ turn: Int?, _ part: ReplayDivergence.Part, _ a: String, _ b: String, tokensB: [Int]?,
                _ cause: ReplayDivergence.Cause, _ detail: String) -> ReplayDivergence {
            let (k, expected, got) = TokenLocator.firstDifference(a, b, tokensB: tokensB ?? tokenizer.encode(b), tokenizer: tokenizer)
            return ReplayDivergence(turn: turn, part: part, tokenPosition: k, expected: expected, got: got, cause: cause, detail: detail)
        }
        if recorded.prompt != replayed.prompt {
            return at(nil, .prompt, recorded.prompt, replayed.prompt, tokensB: nil, .prompt, "the replay rendered another prompt for the question")
        }
        for t in 0..<max(recorded.turns.count, replayed.turns.count) {
            let a = t < recorded.turns.count ? recorded.turns[t] : nil
            let b = t < replayed.turns.count ? replayed.turns[t] : nil
            if a?.rawGeneration != b?.rawGeneration {
                let detail = a == nil ? "the replay generated a turn the recording does not have"
                    : b == nil ? "the replay ended before this turn"
                    : "same context, another sampled token: the weights, sampling settings or kernel numerics differ"
                return at(t, .generation, a?.rawGeneration ?? "", b?.rawGeneration ?? "", tokensB: b.flatMap { _ in sampled[t] },
                          .logits, detail)
            }
            if a?.observation != b?.observation {
                let (cause, detail) = observationCause(a?.observation, b?.observation)
                return at(t, .observation, a?.observation?.text ?? "", b?.observation?.text ?? "", tokensB: nil, cause, detail)
            }
        }
        if recorded.trailing != replayed.trailing {
            return at(nil, .trailing, recorded.trailing, replayed.trailing, tokensB: nil, .trailing, "the text after the last turn differs")
        }
        return nil
    }

    /// Retrieval when the documents differ (naming the first differing rank); else the text.
    static func observationCause(_ a: Observation?, _ b: Observation?) -> (ReplayDivergence.Cause, String) {
        let docsA = a?.documents ?? [], docsB = b?.documents ?? []
        for rank in 0..<max(docsA.count, docsB.count) {
            let x = rank < docsA.count ? docsA[rank] : nil, y = rank < docsB.count ? docsB[rank] : nil
            if x?.id != y?.id || x?.title != y?.title || x?.text != y?.text {
                return (.retrieval, "rank \(rank + 1): recorded \(describe(x)), replay got \(describe(y))")
            }
        }
        if a?.truncated != b?.truncated { return (.observation, "same documents, but only one side was cut to the observation limit") }
        return (.observation, "same documents, another observation text")
    }

    static func describe(_ document: RetrievedDocument?) -> String {
        guard let document else { return "no document" }
        return (document.id.map { "doc \($0) " } ?? "") + quotedOneLine(document.title, limit: 60)
    }
}

/// Token positions of a text difference.
enum TokenLocator {
    /// The replay token holding the first byte where `a` and `b` differ, with the recording's
    /// token starting at the same byte (both shown as text; `(end)` past either end).
    static func firstDifference(_ a: String, _ b: String, tokensB: [Int], tokenizer: Tokenizer) -> (Int, String, String) {
        let bytesA = Array(a.utf8), bytesB = Array(b.utf8)
        var common = 0
        while common < bytesA.count, common < bytesB.count, bytesA[common] == bytesB[common] { common += 1 }
        // Walk the replay's tokens to the one covering byte `common`.
        var k = 0, start = 0
        while k < tokensB.count {
            let length = tokenizer.bytes(of: tokensB[k]).count
            if start + length > common { break }
            start += length
            k += 1
        }
        let got = k < tokensB.count ? tokenizer.decode([tokensB[k]]) : "(end)"
        let restA = String(decoding: bytesA[min(start, bytesA.count)...], as: UTF8.self)
        let expected = tokenizer.encode(restA).first.map { tokenizer.decode([$0]) } ?? "(end)"
        return (k, expected, got)
    }
}

/// Text on one line for a message: newlines and quotes escaped, cut at `limit` characters
/// (the diff layer's quoting, so both commands show trajectory text alike).
func quotedOneLine(_ text: String, limit: Int = 80) -> String { quoted(text, limit: limit) }
