import ArgumentParser
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabEngines
import SearchLabReplay
import SearchLabStore
import SearchLabTrainer

/// `searchlab scan`: why a run's trajectories missed, by rule.
struct ScanCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Classify every trajectory of a run that missed: no search, retrieval or reading failure, skipped hop, repeats, format, cut off.",
        discussion: """
            Each trajectory with exact match 0 gets every class whose rule holds (docs/analysis.md): \
            no_search, retrieval_failure (no retrieved document holds a golden answer), \
            reading_failure (one does, but the answer given is wrong or missing), hop_skipped \
            (answered without retrieving every hop's supporting passage; needs gold chains), \
            repeated_query (same or nearly the same query, word-set Jaccard ≥ 0.8), \
            search_after_retrieved, invalid_format and cut_off. Every miss gets at least one. \
            Printed: each class's count, share of the misses and first examples; then the misses \
            by data source, by hops and by step range (--step-ranges).

            Gold chains come from --dataset FILE (FlashRAG JSONL with metadata.supporting_passages, \
            repeatable), else from the world of the run (--world, or the run's world.dir): its \
            train.jsonl and test.jsonl. With --oracle each miss is replayed with the oracle engine \
            over that world (the first --limit misses), and each class says how many of its \
            trajectories perfect retrieval would have fixed.
            """)

    @Option(help: "Run database.")
    var db: String

    @Option(help: ArgumentHelp("The run to scan.", valueName: "RUN"))
    var run: String

    @Option(help: ArgumentHelp("Dataset JSONL with metadata.supporting_passages: the gold chains (repeatable).", valueName: "FILE"))
    var dataset: [String] = []

    @Option(help: ArgumentHelp("World directory: gold chains from its questions, and the oracle's corpus (default: the run's world.dir).",
                               valueName: "DIR"))
    var world: String?

    @Flag(help: "Replay each miss with the oracle engine and count, per class, the ones it fixes.")
    var oracle = false

    @OptionGroup
    var limit: LimitOption

    @Option(help: ArgumentHelp("Step ranges the misses are counted over.", valueName: "N"))
    var stepRanges = 4

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    @Flag(help: "No progress display for --oracle.")
    var quiet = false

    func validate() throws {
        guard stepRanges >= 1 else { throw ValidationError("--step-ranges must be at least 1") }
        if limit.limit != nil && !oracle { throw ValidationError("--limit bounds the --oracle replays; pass --oracle too") }
    }

    func run() async throws {
        try await reportingErrorsAsync {
            let store = try RunStore(path: db, create: false)
            let record = try store.run(named: run)
            let worldDirectory = world ?? Self.worldDirectory(of: record)
            var chains = GoldChains()
            let files = !dataset.isEmpty ? dataset : worldDirectory.map(GoldChains.datasetFiles(ofWorld:)) ?? []
            for file in files { try chains.read(file) }
            var report = try ScanReport.scan(record, store: store, chains: chains, stepRanges: stepRanges)
            if oracle {
                guard let worldDirectory else {
                    throw SearchLabError("--oracle replays with the oracle over the run's world; pass --world DIR (the run names none)")
                }
                try await attachOracle(to: &report, record: record, store: store, world: worldDirectory)
            }
            Output.write(format == .json ? try CanonicalJSON.string(report) + "\n" : report.text())
        }
    }

    /// Replays the misses (the first --limit) with the oracle over `world`.
    func attachOracle(to report: inout ScanReport, record: RunRecord, store: RunStore, world: String) async throws {
        let selection = try FailureTriage.selection(of: record, store: store, limit: limit.limit)
        let progress = ProgressLine("scan", total: selection.ids.count, unit: "replays", quiet: quiet || format == .json)
        defer { progress.finish() }
        let triage = try await FailureTriage.run(record, selection: selection, store: store, verifying: false, engineFor: { setup in
            var spec = EngineSpec(kind: .oracle)
            spec.worldDirectory = world
            spec.seed = setup.provenance?.seed ?? 0
            return try EngineFactory.make(spec)
        }, progress: { done in progress.update(done, line: "scan: oracle replay \(done)/\(selection.ids.count)") })
        var fixed: [Int64: Bool] = [:]
        for row in triage.rows where row.verdict != nil { fixed[row.storeID] = row.verdict == .retrievalFailure }
        report.attachOracle(engine: triage.engine ?? "oracle", fixed: fixed)
    }

    /// The world.dir of a train or eval run's stored config. Only a default place to find gold
    /// chains: a config this build cannot read leaves it unset (the report then says no chains
    /// were checked) instead of stopping a scan that reads nothing else of it.
    static func worldDirectory(of run: RunRecord) -> String? {
        guard run.source == "train" || run.source == "eval" else { return nil }
        return try? TrainingConfig(ResolvedConfig(canonicalJSON: Data(run.configJSON.utf8))).worldDirectory
    }
}
