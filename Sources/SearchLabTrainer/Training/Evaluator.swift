// Evaluation: roll every question once with the policy (greedy by default — really greedy:
// temperature 0 takes the arg-max, unlike upstream's search-path validation) and report EM
// per data source, as Search-R1's `val/test_score/<data_source>`.
import SearchLabCore
import SearchLabPolicy
import SearchLabTensor
import SearchLabWorld

/// The result of an evaluation pass.
public struct EvaluationReport: Sendable {
    public var samples: [RolloutSample]

    /// Mean exact match per data source, sources in sorted order.
    public var exactMatchBySource: [(source: String, em: Double, count: Int)] {
        let sources = Set(samples.map(\.trajectory.question.dataSource)).sorted()
        return sources.map { source in
            let rows = samples.filter { $0.trajectory.question.dataSource == source }
            return (source, Double(rows.filter(\.trajectory.outcome.exactMatch).count) / Double(rows.count), rows.count)
        }
    }

    public var exactMatch: Double {
        samples.isEmpty ? 0 : Double(samples.filter(\.trajectory.outcome.exactMatch).count) / Double(samples.count)
    }

    public var meanSearches: Double {
        samples.isEmpty ? 0 : Double(samples.map(\.trajectory.outcome.searchCount).reduce(0, +)) / Double(samples.count)
    }

    /// `val/em/<source>`, `val/em`, `val/search_count` metrics.
    public var metrics: [String: Double] {
        var out = ["val/em": exactMatch, "val/search_count": meanSearches]
        for row in exactMatchBySource { out["val/em/\(row.source)"] = row.em }
        return out
    }
}

/// What an evaluation samples with.
public struct EvaluationSettings: Sendable {
    public var rollout: RolloutSettings
    public var maxNewTokens: Int
    /// 0 for greedy decoding.
    public var temperature: Double
    public var topP: Double
    public var seed: UInt64
    public var batchSize: Int
    public var scoring: ScoringOptions

    public init(rollout: RolloutSettings, maxNewTokens: Int, temperature: Double = 0, topP: Double = 1,
                seed: UInt64 = 0, batchSize: Int = 64, scoring: ScoringOptions = .init()) {
        self.rollout = rollout
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.batchSize = batchSize
        self.scoring = scoring
    }
}

public enum Evaluator {
    /// Rolls out each question once with `model` (one worker).
    public static func run(questions: [Question], model: Transformer, tokenizer: Tokenizer, engine: any SearchEngine,
                           settings: EvaluationSettings, provenance: @escaping (Int) -> Provenance? = { _ in nil }) async throws -> EvaluationReport {
        try await run(questions: questions, replicas: ModelReplicas(model, pool: WorkerPool(count: 1)), tokenizer: tokenizer,
                      engine: engine, settings: settings, provenance: provenance)
    }

    /// Rolls out each question once, each turn's batch split over the replicas' workers;
    /// `progress` gets the number of questions done after each batch of `settings.batchSize`.
    public static func run(questions: [Question], replicas: ModelReplicas, tokenizer: Tokenizer,
                           engine: any SearchEngine, settings: EvaluationSettings,
                           provenance: @escaping (Int) -> Provenance? = { _ in nil },
                           progress: (Int) -> Void = { _ in }) async throws -> EvaluationReport {
        let sampling = PolicyTurnGenerator.turnSettings(temperature: settings.temperature, topP: settings.topP,
                                                        maxNewTokens: settings.maxNewTokens, endOfText: tokenizer.endOfText)
        var generator = PolicyTurnGenerator(replicas: replicas, tokenizer: tokenizer, settings: sampling, seed: settings.seed)
        let loop = RolloutLoop(settings: settings.rollout, tokenizer: tokenizer, engine: engine, scoring: settings.scoring)
        var samples: [RolloutSample] = []
        for chunk in Array(questions.indices).chunked(settings.batchSize) {
            let ids = chunk.map { RandomStream.deriveKey(seed: settings.seed, purpose: "eval.sequence", indices: [UInt64($0)]) }
            samples += try await loop.run(chunk.map { questions[$0] }, sequenceIDs: ids, policy: &generator,
                                          provenance: { provenance(chunk[$0]) })
            progress(samples.count)
        }
        return EvaluationReport(samples: samples)
    }
}
