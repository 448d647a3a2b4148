// Batched sampling with a KV cache: temperature, top-p, stop strings, max new tokens.
import Foundation
import SearchLabCore

/// How to sample continuations.
public struct SamplingSettings: Codable, Hashable, Sendable {
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float
    /// Nucleus mass: sample among the most likely tokens whose probabilities sum to ≥ topP.
    public var topP: Float
    /// Upper bound on generated tokens per sequence.
    public var maxNewTokens: Int
    /// Generation stops once the generated text contains one of these (the stop is kept).
    public var stopStrings: [String]
    /// Token ids that end a sequence (kept), e.g. the end-of-text id.
    public var stopTokens: [Int]

    public init(temperature: Float = 1, topP: Float = 1, maxNewTokens: Int = 128,
                stopStrings: [String] = ["</search>", "</answer>"], stopTokens: [Int] = []) {
        self.temperature = temperature
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.stopStrings = stopStrings
        self.stopTokens = stopTokens
    }
}

/// One sampled continuation.
public struct GeneratedSequence: Hashable, Sendable {
    public enum StopReason: Hashable, Sendable { case stopString(String), stopToken, maxNewTokens, contextFull }
    /// The generated token ids (the prompt excluded).
    public var tokens: [Int]
    /// log p(token) under the temperature-scaled model distribution (before top-p), the
    /// quantity a PPO ratio compares; for greedy decoding, under temperature 1.
    public var logProbs: [Float]
    public var stopReason: StopReason
}

/// Samples continuations of prompts from a model.
///
/// The uniform draw for generated token t of sequence s comes from
/// `RandomStream(seed:, purpose: "policy.sample", sequenceID, t)`, so a sequence's tokens
/// do not depend on which other sequences share its batch.
public struct Sampler {
    public let model: Transformer
    /// Needed for stop strings (to see the bytes of generated tokens).
    public let tokenizer: Tokenizer?

    public init(model: Transformer, tokenizer: Tokenizer?) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Generates one continuation per prompt. `sequenceIDs` default to 0..<prompts.count;
    /// pass stable ids (e.g. a rollout's global index) to make draws batch-independent.
    public func generate(prompts: [[Int]], settings: SamplingSettings, seed: UInt64,
                         sequenceIDs: [UInt64]? = nil) throws -> [GeneratedSequence] {
        let ids = sequenceIDs ?? prompts.indices.map(UInt64.init)
        guard ids.count == prompts.count else { throw PolicyError("generate: \(prompts.count) prompts but \(ids.count) sequence ids") }
        let context = model.config.contextLength
        for (i, prompt) in prompts.enumerated() {
            guard !prompt.isEmpty, prompt.count < context else {
                throw PolicyError("generate: prompt \(i) has \(prompt.count) tokens; expected 1..<\(context)")
            }
            guard prompt.allSatisfy({ $0 >= 0 && $0 < model.config.vocabSize }) else {
                throw PolicyError("generate: prompt \(i) has a token id outside 0..<\(model.config.vocabSize)")
            }
        }
        if !settings.stopStrings.isEmpty && tokenizer == nil { throw PolicyError("generate: stop strings need a tokenizer") }
        let maxT = min(context, prompts.map(\.count).max()! + settings.maxNewTokens)
        let cache = model.kvCache(slots: prompts.count, maxT: maxT)
        var results = prompts.map { _ in GeneratedSequence(tokens: [], logProbs: [], stopReason: .maxNewTokens) }
        var texts = [[UInt8]](repeating: [], count: prompts.count)
        var active: [Int] = []
        var lastLogits: [[Float]] = []
        for (s, prompt) in prompts.enumerated() {
            lastLogits.append(model.prefill(prompt, cache: cache, slot: s))
            active.append(s)
        }
        let stops = settings.stopStrings.map { Array($0.utf8) }
        while !active.isEmpty {
            var next: [Int] = []
            for (row, s) in active.enumerated() {
                var rng = RandomStream(seed: seed, purpose: "policy.sample", ids[s], UInt64(results[s].tokens.count))
                let (token, logProb) = Self.sample(lastLogits[row], settings: settings, uniform: rng.nextUnitDouble())
                results[s].tokens.append(token)
                results[s].logProbs.append(logProb)
                if let tokenizer {
                    let bytes = tokenizer.bytes(of: token)
                    texts[s] += bytes
                    if let hit = stops.firstIndex(where: { Self.tail(texts[s], newBytes: bytes.count, contains: $0) }) {
                        results[s].stopReason = .stopString(settings.stopStrings[hit])
                        continue
                    }
                }
                if settings.stopTokens.contains(token) { results[s].stopReason = .stopToken; continue }
                if results[s].tokens.count >= settings.maxNewTokens { results[s].stopReason = .maxNewTokens; continue }
                if cache.lengths[s] >= maxT { results[s].stopReason = .contextFull; continue }
                next.append(s)
            }
            active = next
            if active.isEmpty { break }
            let tokens = active.map { results[$0].tokens.last! }
            let logits = model.decodeStep(tokens: tokens, slots: active, cache: cache)
            let v = model.config.vocabSize
            lastLogits = active.indices.map { Array(logits[($0 * v)..<(($0 + 1) * v)]) }
        }
        return results
    }

    /// Whether `stop` occurs in `text` ending within the last `newBytes` bytes.
    static func tail(_ text: [UInt8], newBytes: Int, contains stop: [UInt8]) -> Bool {
        guard !stop.isEmpty, text.count >= stop.count else { return false }
        let firstEnd = max(stop.count, text.count - newBytes + 1)
        for end in firstEnd...text.count where text[(end - stop.count)..<end].elementsEqual(stop) { return true }
        return false
    }

    /// Every token at least as likely as some threshold whose tokens together hold `mass`:
    /// a superset of the nucleus, usually a handful of ids, so only those need sorting
    /// (sorting the whole vocabulary for every sampled token dominated generation).
    static func nucleusCandidates(_ weights: [Double], mass: Double) -> [Int] {
        var threshold = weights.max()! / 2
        while true {
            var held = 0.0
            var ids: [Int] = []
            for (i, w) in weights.enumerated() where w >= threshold { held += w; ids.append(i) }
            // The margin covers summation order: the caller adds the same weights sorted.
            if held >= mass * (1 + 1e-9) || threshold == 0 || ids.count == weights.count { return ids }
            threshold = threshold > 1e-300 ? threshold / 16 : 0
        }
    }

    /// Draws a token from `logits` with the uniform `u` in [0, 1).
    /// - Returns: the token and its log-probability (see ``GeneratedSequence/logProbs``).
    public static func sample(_ logits: [Float], settings: SamplingSettings, uniform u: Double) -> (Int, Float) {
        let temperature = settings.temperature > 0 ? Double(settings.temperature) : 1
        let z = logits.map { Double($0) / temperature }
        let maxz = z.max()!
        let weights = z.map { Foundation.exp($0 - maxz) }
        let total = weights.reduce(0, +)
        func logProb(_ i: Int) -> Float { Float(z[i] - maxz - Foundation.log(total)) }
        if settings.temperature <= 0 {
            let best = z.indices.max { z[$0] < z[$1] || (z[$0] == z[$1] && $0 > $1) }!
            return (best, logProb(best))
        }
        // candidates in order of probability (ties by id), cut at the nucleus mass
        var order = Array(z.indices)
        if settings.topP < 1 {
            order = nucleusCandidates(weights, mass: Double(settings.topP) * total)
            order.sort { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
            var mass = 0.0, keep = 0
            while keep < order.count, mass < Double(settings.topP) * total {
                mass += weights[order[keep]]
                keep += 1
            }
            order = Array(order.prefix(max(keep, 1)))
        }
        let kept = order.reduce(0.0) { $0 + weights[$1] }
        var target = u * kept, chosen = order.last!
        for i in order {
            target -= weights[i]
            if target < 0 { chosen = i; break }
        }
        return (chosen, logProb(chosen))
    }
}
