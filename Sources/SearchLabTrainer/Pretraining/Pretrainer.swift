// `searchlab pretrain`: the base policy. Builds the tokenizer and trains the language model
// on the world's corpus and on the scripted agent's demonstrations, so the model knows the
// protocol and the world's language but, like the paper's base LLM, not a good strategy.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabWorld

/// Settings of a pretraining run (all have embedded defaults sized for 2 CPU cores).
public struct PretrainSettings: Codable, Hashable, Sendable {
    public var preset = "small"
    public var vocabSize = 4096
    public var steps = 600
    /// Rows of `context` tokens per step.
    public var batchRows = 8
    public var learningRate = 3e-3
    public var warmupSteps = 40
    public var seed: UInt64 = 1
    /// Rows of each step that hold one whole demonstration (the rest are packed corpus text).
    public var demonstrationShare = 0.875
    /// How many demonstrations each training question gets. Each pass draws its own mistakes,
    /// so the model sees the same question solved well and badly, as a base LLM's samples vary.
    public var demonstrationPasses = 4
    public var mistakes = MistakeRates()
    /// The shipped training configs' lengths, so the base model sees the contexts RL samples in.
    public var rollout = RolloutSettings(maxTurns: 4, maxObservationTokens: 128, contextLimit: 512, maxStartTokens: 512, topK: 3)

    public init() {}
}

/// What a pretraining run produced.
public struct PretrainResult: Sendable {
    public var checkpointDigest: String
    /// Training loss at every step.
    public var losses: [Float]
    /// The demonstrations the model was trained on.
    public var demonstrations: [Trajectory]
    public var tokensPerStep: Int
}

public enum Pretrainer {
    /// Words the scripted agent writes that passages and questions may not contain.
    static let agentPhrases = "I need to search for . The documents say I think I know this . The documents name it . is the answer . I do not know unknown"

    /// The bootstrap tokenizer used to roll out demonstrations: corpus passages, questions
    /// and every fixed protocol text.
    public static func buildTokenizer(corpus: [CorpusDocument], questions: [WorldQuestion], vocabSize: Int) throws -> Tokenizer {
        var texts = corpus.map(\.contents) + questions.map(\.question)
        texts += [try SearchR1Format.prompt(question: "x"), SearchR1Format.invalidActionFeedback, agentPhrases,
                  SearchR1Format.informationBlock([])]
        return try Tokenizer.build(corpus: texts, vocabSize: vocabSize)
    }

    /// `settings.demonstrationPasses` scripted demonstrations per training question, rolled
    /// out against `engine`: pass p of question i is sequence p·count + i, so every pass draws
    /// its own mistakes and pass 0 is the same whatever the number of passes.
    public static func demonstrations(questions: [WorldQuestion], engine: any SearchEngine, tokenizer: Tokenizer,
                                      settings: PretrainSettings) async throws -> [Trajectory] {
        let plans = WorldPlans.plans(for: questions, seed: settings.seed)
        var agent = ScriptedAgent(seed: settings.seed, rates: settings.mistakes) { plans[$0.id] }
        let loop = RolloutLoop(settings: settings.rollout, tokenizer: tokenizer, engine: engine)
        let sequences = (0..<max(1, settings.demonstrationPasses) * questions.count)
        var out: [Trajectory] = []
        for chunk in Array(sequences).chunked(256) {
            let batch = chunk.map { WorldPlans.question(questions[$0 % questions.count]) }
            let samples = try await loop.run(batch, sequenceIDs: chunk.map(UInt64.init), policy: &agent)
            out += samples.map(\.trajectory)
        }
        return out
    }

    /// Builds, trains and saves the base policy to `output`.
    public static func run(corpus: [CorpusDocument], questions: [WorldQuestion], engine: any SearchEngine,
                           settings: PretrainSettings, output: URL,
                           progress: (Int, Float) -> Void = { _, _ in }) async throws -> PretrainResult {
        // Demonstrations need a tokenizer (observations are cut by token count), but the
        // model's tokenizer must come from the text it trains on: built from passages alone,
        // the agent's own phrases would fall under the minimum count and be spelled in bytes.
        let bootstrap = try buildTokenizer(corpus: corpus, questions: questions, vocabSize: settings.vocabSize)
        let demos = try await demonstrations(questions: questions, engine: engine, tokenizer: bootstrap, settings: settings)
        let documents = corpus.map(\.contents) + demos.map { $0.render() }
        let tokenizer = try Tokenizer.build(corpus: documents, vocabSize: settings.vocabSize)
        guard let config = TransformerConfig.named(settings.preset, vocabSize: tokenizer.vocabSize) else {
            throw SearchLabError("unknown policy preset \(settings.preset): expected tiny, small or base")
        }
        let model = try Transformer(config: config)
        model.initialize(seed: settings.seed)
        let stream = PackedStream(documents: corpus.map { tokenizer.encode($0.contents) + [tokenizer.endOfText] },
                                  rowLength: config.contextLength, seed: settings.seed)
        let demoRows = min(settings.batchRows, max(0, Int((settings.demonstrationShare * Double(settings.batchRows)).rounded())))
        let data = PretrainData(
            demonstrations: demos.flatMap { DemonstrationRow.rows(of: $0, tokenizer: tokenizer, contextLength: config.contextLength) },
            corpus: stream, demonstrationRows: demos.isEmpty ? 0 : demoRows,
            corpusRows: settings.batchRows - (demos.isEmpty ? 0 : demoRows), seed: settings.seed)
        let optimizer = AdamW(parameterCount: model.parameters.count, weightDecay: 0.1)
        let schedule = LRSchedule(peak: Float(settings.learningRate), warmupSteps: settings.warmupSteps,
                                  totalSteps: settings.steps, decay: .cosine, minRatio: 0.1)
        var losses: [Float] = []
        for step in 0..<settings.steps {
            let batch = data.batch(step: step)
            model.zeroGradients()
            let loss = model.languageModelStep(batch)
            AdamW.clipGradientNorm(model.gradients, maxNorm: 1)
            optimizer.update(parameters: model.parameters, gradients: model.gradients,
                             learningRate: schedule.learningRate(at: step), decayed: model.layout.decayedRanges)
            losses.append(loss)
            progress(step, loss)
        }
        let digest = try Checkpoint.save(model: model, tokenizer: tokenizer, to: output)
        return PretrainResult(checkpointDigest: digest, losses: losses, demonstrations: demos,
                              tokensPerStep: settings.batchRows * config.contextLength)
    }
}

/// Documents concatenated (in a seeded order per pass) and cut into rows of `rowLength + 1`
/// tokens, so every position has a next-token target.
struct PackedStream {
    let tokens: [Int]
    let rowLength: Int

    init(documents: [[Int]], rowLength: Int, seed: UInt64) {
        var order = Array(documents.indices)
        var random = RandomStream(seed: seed, purpose: "pretrain.document-order")
        order.shuffle(using: &random)
        tokens = order.flatMap { documents[$0] }
        self.rowLength = rowLength
    }

    /// The rows of a step: consecutive windows, wrapping around the stream.
    func rows(step: Int, count: Int) -> [[Int]] {
        precondition(tokens.count > rowLength, "the pretraining text is shorter than one row")
        return (0..<count).map { k in
            let start = ((step * count + k) * rowLength) % (tokens.count - rowLength)
            return Array(tokens[start..<(start + rowLength)])
        }
    }
}
