// The transformer policy as a `TurnPolicy`: one batched, KV-cached sampling call per turn.
import SearchLabCore
import SearchLabPolicy

extension Tokenizer: TextTokenizer {}

/// Samples each turn with the policy. The sampling stream of a row is keyed by
/// (seed, sequence id, turn, token index), so a row's tokens never depend on its batch.
public struct PolicyTurnGenerator: TurnPolicy {
    public let sampler: Sampler
    public let settings: SearchLabPolicy.SamplingSettings
    public let seed: UInt64

    public init(model: Transformer, tokenizer: Tokenizer, settings: SearchLabPolicy.SamplingSettings, seed: UInt64) {
        self.sampler = Sampler(model: model, tokenizer: tokenizer)
        self.settings = settings
        self.seed = seed
    }

    /// Search-R1's per-turn settings: stop at the first closing search or answer tag.
    public static func turnSettings(temperature: Double, topP: Double, maxNewTokens: Int, endOfText: Int) -> SearchLabPolicy.SamplingSettings {
        SearchLabPolicy.SamplingSettings(temperature: Float(temperature), topP: Float(topP), maxNewTokens: maxNewTokens,
                                         stopStrings: ["</search>", "</answer>"], stopTokens: [endOfText])
    }

    public mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn] {
        guard !requests.isEmpty else { return [] }
        // Leave room for at least one new token in the model's window.
        let room = sampler.model.config.contextLength - 1
        let prompts = requests.map { Array($0.context.suffix(room)) }
        let ids = requests.map { RandomStream.deriveKey(seed: $0.sequenceID, purpose: "rollout.turn", indices: [UInt64($0.turn)]) }
        let outputs = try sampler.generate(prompts: prompts, settings: settings, seed: seed, sequenceIDs: ids)
        return outputs.map { GeneratedTurn(text: sampler.tokenizer!.decode($0.tokens), tokens: $0.tokens) }
    }
}
