// Building engines from command-line style options: the one place that knows every
// engine kind and how record / replay / on-miss wrap them.
import Foundation
import SearchLabCore
import SearchLabRetrieval

/// The engines SearchLab can build.
public enum EngineKind: String, CaseIterable, Sendable {
    case bm25, random, empty, oracle, http, recorded

    /// Whether the engine reads `--index`. (An exhaustive switch, so a new engine kind
    /// has to say.)
    public var usesIndex: Bool {
        switch self {
        case .bm25: return true
        case .random, .empty, .oracle, .http, .recorded: return false
        }
    }
}

/// Everything needed to build an engine; fields an engine does not use are ignored.
public struct EngineSpec: Sendable {
    public var kind: EngineKind
    /// Corpus JSONL (`random`, `oracle`).
    public var corpusPath: String?
    /// Index file (`bm25`).
    public var indexPath: String?
    /// FlashRAG dataset JSONL with `metadata.supporting_passages` (`oracle`).
    public var datasetPath: String?
    /// Seed of `random` and of the oracle's random filler.
    public var seed: UInt64 = 0
    /// What the oracle adds after the supporting passages.
    public var oracleFillsRandomly = false
    /// Endpoint of a Search-R1 `/retrieve` server (`http`).
    public var url: String?
    /// Seconds the `http` engine waits.
    public var timeout: Double = 30
    /// Log to replay (`recorded`, or any engine with ``replayLog`` set).
    public var replayLog: String?
    /// Which recorded engine to replay when the log holds several (`recorded`).
    public var fingerprint: String?
    /// Log to record every answer into.
    public var recordLog: String?
    /// Live engine that answers (and records) what the replay log misses.
    public var onMiss: EngineKind?

    public init(kind: EngineKind) {
        self.kind = kind
    }
}

/// Builds engines from specs.
public enum EngineFactory {
    /// The engine `spec` describes, wrapped for recording or replaying:
    /// - `recordLog`: every answer is recorded under the engine's fingerprint;
    /// - `replayLog` with kind `recorded`: replays the log's only engine (or `fingerprint`);
    /// - `replayLog` with a live kind: replays what that very engine recorded;
    /// - `onMiss`: misses of a replay go to that live engine (built from the same options)
    ///   and are recorded into the replay log.
    /// - Throws: ``SearchLabError``/``LocatedError`` for missing options or bad inputs.
    public static func make(_ spec: EngineSpec) throws -> any SearchEngine {
        try rejectUnusedOptions(spec)
        if spec.recordLog != nil && spec.replayLog != nil {
            throw SearchLabError("--record and --replay cannot be combined (--replay with --on-miss records misses into the replay log)")
        }
        if let recordLog = spec.recordLog {
            guard spec.kind != .recorded else { throw SearchLabError("--record needs a live engine, not --engine recorded") }
            return RecordingEngine(try makeLive(spec), log: try RetrievalLog(path: recordLog, create: true))
        }
        guard let replayLog = spec.replayLog else {
            guard spec.kind != .recorded else { throw SearchLabError("--engine recorded needs --replay LOG") }
            if spec.onMiss != nil { throw SearchLabError("--on-miss only applies with --replay LOG") }
            return try makeLive(spec)
        }
        let log = try RetrievalLog(path: replayLog, create: false)
        let replayed: String
        if spec.kind == .recorded {
            replayed = try spec.fingerprint ?? RecordedEngine.soleFingerprint(in: log)
        } else {
            replayed = try makeLive(spec).fingerprint
        }
        let fallThrough = try spec.onMiss.map { kind -> any SearchEngine in
            var live = spec
            live.kind = kind
            return try makeLive(live)
        }
        return RecordedEngine(log: log, fingerprint: replayed, onMiss: fallThrough)
    }

    /// A live (not recorded) engine.
    public static func makeLive(_ spec: EngineSpec) throws -> any SearchEngine {
        switch spec.kind {
        case .bm25:
            return try BM25Engine(indexPath: try required(spec.indexPath, "--index INDEX", for: spec.kind))
        case .empty:
            return EmptyEngine()
        case .random:
            return RandomEngine(corpus: try CorpusFile(path: try required(spec.corpusPath, "--corpus FILE", for: spec.kind)),
                                seed: spec.seed)
        case .oracle:
            let corpus = try CorpusFile(path: try required(spec.corpusPath, "--corpus FILE", for: spec.kind))
            let dataset = try OracleDataset(path: try required(spec.datasetPath, "--dataset FILE", for: spec.kind), corpus: corpus)
            return OracleEngine(dataset: dataset, corpus: corpus,
                                fill: spec.oracleFillsRandomly ? .random(seed: spec.seed) : .nothing)
        case .http:
            return try HTTPEngine(urlText: try required(spec.url, "--url URL", for: spec.kind), timeout: spec.timeout)
        case .recorded:
            throw SearchLabError("--on-miss needs a live engine, not recorded")
        }
    }

    /// An option no engine in the setup reads is a mistake the user should hear about.
    static func rejectUnusedOptions(_ spec: EngineSpec) throws {
        let kinds = [spec.kind] + (spec.onMiss.map { [$0] } ?? [])
        if spec.indexPath != nil && !kinds.contains(where: \.usesIndex) {
            throw SearchLabError("--index is only used by engines that search an index (bm25)")
        }
        if spec.url != nil && !kinds.contains(.http) { throw SearchLabError("--url is only used by --engine http") }
        if spec.datasetPath != nil && !kinds.contains(.oracle) { throw SearchLabError("--dataset is only used by --engine oracle") }
        if spec.fingerprint != nil && spec.kind != .recorded { throw SearchLabError("--fingerprint is only used by --engine recorded") }
    }

    static func required(_ value: String?, _ option: String, for kind: EngineKind) throws -> String {
        guard let value else { throw SearchLabError("--engine \(kind.rawValue) needs \(option)") }
        return value
    }
}
