// The policies a replay drives the rollout loop with: the sampling policy itself (wrapped
// to keep each turn's sampled tokens, which locate a divergence), and the --verify policy
// that checks a stored turn with one teacher-forced forward pass instead of generating it.
import SearchLabCore
import SearchLabPolicy
import SearchLabTrainer

/// Passes requests to `inner` and keeps what it generated, by turn (a replay has one row).
struct CapturingPolicy<Inner: TurnPolicy>: TurnPolicy {
    var inner: Inner
    private(set) var generated: [Int: GeneratedTurn] = [:]

    init(_ inner: Inner) { self.inner = inner }

    mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn] {
        let out = try inner.generate(requests)
        for (request, turn) in zip(requests, out) { generated[request.turn] = turn }
        return out
    }
}

/// How `--verify` checked each turn.
public struct VerifyStats: Codable, Hashable, Sendable {
    /// Turns whose every stored token the teacher-forced draw reproduced.
    public var teacherForcedTurns: [Int] = []
    /// Turns generated token by token instead, with the reason.
    public var regenerated: [RegeneratedTurn] = []

    public struct RegeneratedTurn: Codable, Hashable, Sendable {
        public var turn: Int
        public var reason: String
    }

    enum CodingKeys: String, CodingKey {
        case regenerated
        case teacherForcedTurns = "teacher_forced_turns"
    }
}

/// Re-draws each stored token from the recorded sampling stream, given logits from one
/// teacher-forced forward pass over context + stored tokens. Where that draw does not
/// reproduce the stored turn exactly (or its tokens cannot be recovered from its text), the
/// turn is generated token by token as the original was: teacher-forced logits differ from
/// KV-cached ones in the last bits, so a draw on a probability boundary may flip, and only
/// the generating path is authoritative.
struct TeacherForcedPolicy: TurnPolicy {
    let storedTurns: [Turn]
    var generator: PolicyTurnGenerator
    var stats = VerifyStats()

    var sampler: Sampler { generator.sampler }
    var tokenizer: Tokenizer { generator.sampler.tokenizer! }

    mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn] {
        try requests.map { request in
            let reason = check(request)
            if reason == nil {
                stats.teacherForcedTurns.append(request.turn)
                let raw = storedTurns[request.turn].rawGeneration
                return GeneratedTurn(text: raw, tokens: tokenizer.encode(raw))
            }
            stats.regenerated.append(.init(turn: request.turn, reason: reason!))
            return try generator.generate([request])[0]
        }
    }

    /// nil when the teacher-forced draws reproduce the stored turn; else why not.
    func check(_ request: TurnRequest) -> String? {
        guard request.turn < storedTurns.count else { return "the recording has no such turn" }
        let stored = storedTurns[request.turn]
        let tokens = tokenizer.encode(stored.rawGeneration)
        if let recorded = stored.tokens?.generated, recorded != tokens.count {
            return "its \(recorded) sampled tokens are not the canonical tokenisation of its text"
        }
        let context = sampler.model.config.contextLength
        let prompt = Array(request.context.suffix(context - 1))
        // The last token is only drawn, never fed back, so it needs no position of its own.
        guard !tokens.isEmpty, prompt.count + tokens.count - 1 <= context else { return "it does not fit one forward pass" }
        let v = sampler.model.config.vocabSize
        let logits = sampler.model.logits(TokenBatch(sequences: [prompt + tokens.dropLast()]))
        let streamID = RandomStream.deriveKey(seed: request.sequenceID, purpose: "rollout.turn", indices: [UInt64(request.turn)])
        let settings = generator.settings
        let maxLength = min(context, prompt.count + settings.maxNewTokens)
        var text: [UInt8] = []
        for k in tokens.indices {
            let row = (prompt.count - 1 + k) * v
            var stream = RandomStream(seed: generator.seed, purpose: "policy.sample", streamID, UInt64(k))
            let (drawn, _) = Sampler.sample(Array(logits[row..<(row + v)]), settings: settings, uniform: stream.nextUnitDouble())
            guard drawn == tokens[k] else { return "the teacher-forced draw at token \(k) differs" }
            let bytes = tokenizer.bytes(of: drawn)
            text += bytes
            // The sampler's stop rules, in its order; its cache then holds prompt + k tokens.
            let stops = settings.stopStrings.contains { text.hasTail(Array($0.utf8), within: bytes.count) }
                || settings.stopTokens.contains(drawn) || k + 1 >= settings.maxNewTokens || prompt.count + k >= maxLength
            if stops != (k == tokens.count - 1) { return "the stored turn ends where the sampler would not stop" }
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Whether `stop` occurs ending within the last `newBytes` bytes (the sampler's test).
    func hasTail(_ stop: [UInt8], within newBytes: Int) -> Bool {
        guard !stop.isEmpty, count >= stop.count else { return false }
        let firstEnd = Swift.max(stop.count, count - newBytes + 1)
        guard firstEnd <= count else { return false }
        return (firstEnd...count).contains { self[($0 - stop.count)..<$0].elementsEqual(stop) }
    }
}
