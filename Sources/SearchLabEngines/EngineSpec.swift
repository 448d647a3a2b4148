// Building engines: the one place that knows every engine kind, where each finds its
// files (given one by one, or in a world directory), and how record / replay / on-miss wrap
// them. The commands' shared engine options, training and eval all build through it.
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

/// What the oracle adds after a question's supporting passages, as an option names it
/// (the seed of `random` comes with the spec).
public enum OracleFillKind: String, CaseIterable, Sendable {
    /// Nothing: fewer than top-k documents when the question has fewer supporting passages.
    case nothing
    /// Random passages of the corpus (seeded), so every search shows top-k documents.
    case random
}

/// Everything needed to build an engine. Options the engines being built do not read are
/// refused (see ``EngineFactory/make(_:)``).
public struct EngineSpec: Sendable {
    public var kind: EngineKind
    /// A world directory as `searchlab world` writes it: its `corpus.jsonl`, `bm25.index`
    /// (built on first use) and `train.jsonl` + `test.jsonl` serve whichever engine needs
    /// them, unless a path below is given.
    public var worldDirectory: String?
    /// Corpus JSONL (`random`, `oracle`).
    public var corpusPath: String?
    /// Index file (`bm25`).
    public var indexPath: String?
    /// FlashRAG dataset JSONL with `metadata.supporting_passages` (`oracle`).
    public var datasetPath: String?
    /// BM25's k1 and b instead of the index's own (`bm25`).
    public var k1: Double?
    public var b: Double?
    /// Seed of `random` and of the oracle's random filler.
    public var seed: UInt64 = 0
    /// What the oracle adds after the supporting passages; by default random passages over a
    /// world (what training sees: every search shows top-k documents), nothing otherwise.
    public var oracleFill: OracleFillKind?
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
        let world = spec.worldDirectory.map(WorldFiles.init)
        switch spec.kind {
        case .bm25:
            let index = try BM25Index(path: try spec.indexPath ?? world?.bm25Index() ?? missing("--index INDEX", for: spec.kind))
            let override = (spec.k1 != nil || spec.b != nil)
                ? BM25Parameters(k1: spec.k1 ?? index.metadata.k1, b: spec.b ?? index.metadata.b) : nil
            return BM25Engine(searcher: BM25Searcher(index: index, parameters: override))
        case .empty:
            return EmptyEngine()
        case .random:
            return RandomEngine(corpus: try CorpusFile(path: try spec.corpusPath ?? world?.corpus ?? missing("--corpus FILE", for: spec.kind)),
                                seed: spec.seed)
        case .oracle:
            let corpus = try CorpusFile(path: try spec.corpusPath ?? world?.corpus ?? missing("--corpus FILE", for: spec.kind))
            let dataset: OracleDataset
            if let path = spec.datasetPath {
                dataset = try OracleDataset(path: path, corpus: corpus)
            } else if let world {
                dataset = try world.oracleDataset(corpus: corpus)
            } else {
                return try missing("--dataset FILE", for: spec.kind)
            }
            let fill: OracleFillKind = spec.oracleFill ?? (world != nil ? .random : .nothing)
            return OracleEngine(dataset: dataset, corpus: corpus, fill: fill == .random ? .random(seed: spec.seed) : .nothing)
        case .http:
            return try HTTPEngine(urlText: try spec.url ?? missing("--url URL", for: spec.kind), timeout: spec.timeout)
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
        if (spec.k1 != nil || spec.b != nil) && !kinds.contains(.bm25) { throw SearchLabError("--k1 and --b are only used by --engine bm25") }
        if spec.url != nil && !kinds.contains(.http) { throw SearchLabError("--url is only used by --engine http") }
        if spec.datasetPath != nil && !kinds.contains(.oracle) { throw SearchLabError("--dataset is only used by --engine oracle") }
        if spec.oracleFill != nil && !kinds.contains(.oracle) { throw SearchLabError("--oracle-fill is only used by --engine oracle") }
        if spec.fingerprint != nil && spec.kind != .recorded { throw SearchLabError("--fingerprint is only used by --engine recorded") }
    }

    static func missing<T>(_ option: String, for kind: EngineKind) throws -> T {
        let world = kind == .http ? "" : " (or --world DIR)"
        throw SearchLabError("--engine \(kind.rawValue) needs \(option)\(world)")
    }
}

/// The files of a world directory that engines search.
struct WorldFiles {
    let directory: URL

    init(_ path: String) { directory = URL(fileURLWithPath: path) }

    var corpus: String { directory.appendingPathComponent("corpus.jsonl").path }

    /// The world's BM25 index, built (with pyserini's k1/b) if it is not there yet.
    func bm25Index() throws -> String {
        let path = directory.appendingPathComponent("bm25.index").path
        if !FileManager.default.fileExists(atPath: path) {
            try IndexBuilder.build(corpusPath: corpus, outputPath: path, options: IndexBuildOptions())
        }
        return path
    }

    /// Every question of the world, training and test: the oracle knows each one's passages,
    /// since training and validation both search.
    func oracleDataset(corpus: CorpusFile) throws -> OracleDataset {
        var data = Data()
        for split in ["train", "test"] {
            data += try Data(contentsOf: directory.appendingPathComponent("\(split).jsonl"))
            if data.last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
        }
        return try OracleDataset(data: data, name: directory.appendingPathComponent("{train,test}.jsonl").path, corpus: corpus)
    }
}
