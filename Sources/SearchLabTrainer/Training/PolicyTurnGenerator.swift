// The transformer policy as a `TurnPolicy`: one batched, KV-cached sampling call per turn,
// split over the workers' replicas.
import SearchLabCore
import SearchLabPolicy
import SearchLabTensor

extension Tokenizer: TextTokenizer {}

/// Samples each turn with the policy. The sampling stream of a row is keyed by
/// (seed, sequence id, turn, token index), so a row's tokens never depend on its batch.
///
/// With several replicas, a turn's requests are cut into contiguous shards, one per worker,
/// each decoded as its own batch on its own replica.
public struct PolicyTurnGenerator: TurnPolicy {
    /// The sampler of replica 0 (the model given).
    public var sampler: Sampler { samplers[0] }
    let samplers: [Sampler]
    let pool: WorkerPool
    public let settings: SearchLabPolicy.SamplingSettings
    public let seed: UInt64

    public init(model: Transformer, tokenizer: Tokenizer, settings: SearchLabPolicy.SamplingSettings, seed: UInt64) {
        self.init(replicas: ModelReplicas(model, pool: WorkerPool(count: 1)), tokenizer: tokenizer, settings: settings, seed: seed)
    }

    /// A generator that decodes shard k of each turn on `replicas.replica(for: k)`.
    public init(replicas: ModelReplicas, tokenizer: Tokenizer, settings: SearchLabPolicy.SamplingSettings, seed: UInt64) {
        self.samplers = replicas.replicas.map { Sampler(model: $0, tokenizer: tokenizer) }
        self.pool = replicas.pool
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
        let shards = pool.shards(of: requests.count)
        let (settings, seed, samplers) = (self.settings, self.seed, self.samplers)
        let outputs = pool.map(jobs: shards.count) { worker, shard in
            Result { try samplers[worker].generate(prompts: Array(prompts[shards[shard]]), settings: settings, seed: seed,
                                                   sequenceIDs: Array(ids[shards[shard]])) }
        }
        let tokenizer = sampler.tokenizer!
        return try outputs.flatMap { try $0.get() }.map { GeneratedTurn(text: tokenizer.decode($0.tokens), tokens: $0.tokens) }
    }
}
