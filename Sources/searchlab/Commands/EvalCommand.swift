import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabTensor
import SearchLabTrainer

/// `searchlab eval`: exact match of a checkpoint on a world split.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on a world's questions: EM per data source.",
        discussion: """
            Rolls out every question of the split once through Search-R1's loop (greedy unless \
            --temperature is set) against the named engine, and prints exact match per data \
            source. With --db and --run the trajectories are stored for count, diff and graph.
            """)

    @Option(help: ArgumentHelp("Checkpoint directory.", valueName: "CKPT"))
    var checkpoint: String

    @Option(help: ArgumentHelp("World directory.", valueName: "DIR"))
    var world: String

    @Option(help: "Split: train or test.")
    var split = "test"

    @Option(help: "Engine: bm25, random, empty or oracle.")
    var engine = "bm25"

    @Option(help: "Evaluate only the first N questions.")
    var limit: Int?

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature = 0.0

    @Option(help: "Search turns before the final answer-only turn.")
    var maxTurns = 3

    @Option(help: "Documents per search.")
    var topk = 3

    @Option(help: "Seed of sampling and of the random engine.")
    var seed: UInt64 = 0

    @Option(help: """
        Workers that decode side by side, each with one OpenBLAS thread. The results depend on it \
        (it fixes how each turn's batch is split), not on the machine's cores.
        """)
    var threads = 2

    @Option(help: ArgumentHelp("Store trajectories in this run database.", valueName: "DB"))
    var db: String?

    @Option(help: "Run name for --db.")
    var run: String?

    @Flag(help: "No progress display (by default: one updating line on a terminal, a line per batch of 64 otherwise).")
    var quiet = false

    func validate() throws {
        guard split == "train" || split == "test" else { throw ValidationError("--split must be train or test") }
        guard (db == nil) == (run == nil) else { throw ValidationError("--db and --run go together") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        try await reportingErrorsAsync {
            // The name is checked before any work, and taken in the same transaction that stores the run.
            let store = try db.map { try RunStore(path: $0) }
            if let store, let run {
                try RunSpec.validate(name: run)
                if try store.write({ try $0.run(named: run) }) != nil {
                    throw SearchLabError("a run named \"\(run)\" already exists in \(store.path); choose another --run")
                }
            }
            let environment = try WorldEnvironment(directory: URL(fileURLWithPath: world))
            let loaded = try Checkpoint.load(from: URL(fileURLWithPath: checkpoint))
            var questions = (split == "test" ? environment.test : environment.train).map { WorldPlans.question($0) }
            if let limit { questions = Array(questions.prefix(limit)) }
            // Recorded, so the stored trajectories replay from the run's own retrieval log.
            let searchEngine = CallRecorder(try environment.engine(engine, seed: seed))
            let settings = EvaluationSettings(
                rollout: RolloutSettings(maxTurns: maxTurns, maxObservationTokens: 100, contextLimit: loaded.model.config.contextLength - 32,
                                         maxStartTokens: loaded.model.config.contextLength, topK: topk),
                maxNewTokens: 48, temperature: temperature, seed: seed)
            let sampling = SamplingSettings(temperature: temperature, topP: 1, maxTokensPerTurn: 48, maxTurns: maxTurns,
                                            maxObservationTokens: 100, contextLimit: settings.rollout.contextLimit)
            Tensor.setBLASThreads(1)
            let replicas = ModelReplicas(loaded.model, pool: WorkerPool(count: threads))
            let progress = ProgressLine("eval", total: questions.count, unit: "questions", quiet: quiet)
            progress.update(0)
            let report = try await Evaluator.run(questions: questions, replicas: replicas, tokenizer: loaded.tokenizer,
                                                 engine: searchEngine, settings: settings, provenance: { _ in
                Provenance(seed: seed, checkpointDigest: loaded.digest, sampling: sampling, engineFingerprint: searchEngine.fingerprint)
            }, progress: { done in
                progress.update(done, line: "eval \(done)/\(questions.count) questions")
            })
            progress.finish()
            var lines = report.exactMatchBySource.map { "\($0.source)\tEM \(String(format: "%.3f", $0.em))\t(n=\($0.count))" }
            lines.append("all\tEM \(String(format: "%.3f", report.exactMatch))\t(n=\(report.samples.count))\tsearches/trajectory \(String(format: "%.2f", report.meanSearches))")
            if let store, let run {
                let spec = RunSpec(name: run, source: "eval", seed: seed, codeVersion: SearchLabVersion.code,
                                   worldDigest: environment.manifest.files["corpus.jsonl"]?.sha256)
                let prepared = try PreparedTrajectory.prepareAll(report.samples.map(\.trajectory))
                let calls = searchEngine.drain().map {
                    LoggedCall(engineFingerprint: searchEngine.fingerprint, query: $0.query, topK: $0.topK, hits: $0.hits, phase: .rollout)
                }
                try store.write { writer in
                    let record = try writer.createRun(spec)
                    try writer.commit(StepCommit(step: 0, metrics: report.metrics, trajectories: prepared, calls: calls, checkpoint: nil),
                                      runID: record.id!)
                }
                lines.append("stored \(report.samples.count) trajectories in \(store.path) as run \(run)")
            }
            Output.writeLines(lines)
        }
    }
}
