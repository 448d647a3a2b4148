import ArgumentParser
import SearchLabCore
import SearchLabEngines


/// The search-engine options, declared once for every command that searches (`search`,
/// `serve`, `eval`, `replay`): which engine, where it finds its files, and its parameters.
/// Each command says its default engine; all of them build it with ``EngineFactory``.
struct EngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Search engine: \(EngineKind.allCases.map(\.rawValue).joined(separator: ", ")) (the command's description gives its default).",
                               valueName: "ENGINE"))
    var engine: String?

    @Option(help: ArgumentHelp("World directory: its corpus, BM25 index (built on first use) and questions serve bm25, random and oracle.",
                               valueName: "DIR"))
    var world: String?

    @Option(help: ArgumentHelp("BM25 index for bm25 (instead of a world's).", valueName: "INDEX"))
    var index: String?

    @Option(help: ArgumentHelp("Corpus JSONL for random and oracle (instead of a world's).", valueName: "FILE"))
    var corpus: String?

    @Option(help: ArgumentHelp("Dataset JSONL with metadata.supporting_passages, for oracle (instead of a world's questions).", valueName: "FILE"))
    var dataset: String?

    @Option(help: ArgumentHelp("What oracle returns after the supporting passages: nothing or random (default: random over a world, else nothing).",
                               valueName: "FILL"))
    var oracleFill: String?

    @Option(help: ArgumentHelp("BM25's k1 instead of the index's.", valueName: "K1"))
    var k1: Double?

    @Option(help: ArgumentHelp("BM25's b instead of the index's.", valueName: "B"))
    var b: Double?

    @Option(help: ArgumentHelp("Search-R1 /retrieve endpoint for http.", valueName: "URL"))
    var url: String?

    @Option(help: ArgumentHelp("Seconds the http engine waits for an answer (default 30).", valueName: "SECONDS"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Seed of the random engine and the oracle's random filler (eval: also of sampling).", valueName: "SEED"))
    var seed: UInt64?

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    /// Whether any option names where an engine finds its files or how it scores.
    var givesEngineSources: Bool {
        world != nil || index != nil || corpus != nil || dataset != nil || url != nil || oracleFill != nil
            || k1 != nil || b != nil || timeout != nil
    }

    /// The engine --engine names, nil when it is not given.
    /// - Throws: ``SearchLabError`` (one line, as every run-time error) for an unknown name.
    func kind() throws -> EngineKind? {
        try engine.map { name in
            guard let kind = EngineKind(rawValue: name) else {
                throw SearchLabError("--engine must be one of \(EngineKind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
            }
            return kind
        }
    }

    /// The spec of a `kind` engine from these options; `world` stands in when --world is not given.
    func spec(kind: EngineKind, seed: UInt64, world fallbackWorld: String? = nil) throws -> EngineSpec {
        var spec = EngineSpec(kind: kind)
        spec.worldDirectory = world ?? fallbackWorld
        spec.indexPath = index
        spec.corpusPath = corpus
        spec.datasetPath = dataset
        spec.oracleFill = try oracleFill.map { name in
            guard let fill = OracleFillKind(rawValue: name) else { throw SearchLabError("--oracle-fill must be nothing or random, got \"\(name)\"") }
            return fill
        }
        spec.k1 = k1
        spec.b = b
        spec.url = url
        if let timeout { spec.timeout = timeout }
        spec.seed = seed
        return spec
    }
}

/// `--topk`, declared once for the commands that search on a user's behalf (`search`, `eval`,
/// `replay`); `serve` takes each request's own topk and has `--default-topk` for requests without.
struct TopKOption: ParsableArguments {
    @Option(help: ArgumentHelp("Documents per search (the command's description gives its default).", valueName: "K"))
    var topk: Int?

    func validate() throws {
        if let topk, topk < 1 { throw ValidationError("--topk must be at least 1") }
    }
}

/// `--limit`, declared once for the commands that work through the first N of a list:
/// `eval` (questions), `replay --failed` (failing trajectories), `report` (trajectories listed).
struct LimitOption: ParsableArguments {
    @Option(help: ArgumentHelp("Only the first N (the command's description says of what, and its default).", valueName: "N"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }
}
