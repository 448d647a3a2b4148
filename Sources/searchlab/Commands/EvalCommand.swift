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
            source. With --db and --run the trajectories, their retrieval calls and the settings \
            are stored, so count, diff, graph and replay work on them.

            With --config (and --set) the evaluation is the training run's validation: the \
            config's limits (data.max_response_length per turn, data.max_obs_length, \
            data.max_prompt_length, data.max_start_length, max_turns), retriever, trainer.seed and \
            trainer.threads, greedy, on the first data.val_batch_size test questions (--limit \
            overrides). The same checkpoint then scores exactly the run's val/em. Without \
            --config, eval takes the quick-look limits documented in docs/replay.md.
            """)

    @Option(help: ArgumentHelp("Checkpoint directory.", valueName: "CKPT"))
    var checkpoint: String

    @Option(help: ArgumentHelp("World directory (default with --config: its world.dir).", valueName: "DIR"))
    var world: String?

    @Option(help: ArgumentHelp("Evaluate as this training config's validation does.", valueName: "FILE.yaml"))
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key: key=value (repeatable; implies the config's settings).",
                                                          valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: "Split: train or test.")
    var split = "test"

    @Option(help: "Engine: bm25, random, empty or oracle (default bm25; with --config: retriever.engine).")
    var engine: String?

    @Option(help: "Evaluate only the first N questions.")
    var limit: Int?

    @Option(help: "Sampling temperature; 0 is greedy (default 0; with --config: greedy, as validation).")
    var temperature: Double?

    @Option(help: "Search turns before the final answer-only turn (default 3; with --config: max_turns).")
    var maxTurns: Int?

    @Option(help: "Documents per search (default 3; with --config: retriever.topk).")
    var topk: Int?

    @Option(help: "Seed of sampling and of the random engine (default 0; with --config: trainer.seed).")
    var seed: UInt64?

    @Option(help: """
        Workers that decode side by side, each with one OpenBLAS thread (default 2; with --config: \
        trainer.threads). The results depend on it (it fixes how each turn's batch is split), not \
        on the machine's cores.
        """)
    var threads: Int?

    @Option(help: ArgumentHelp("Store trajectories in this run database.", valueName: "DB"))
    var db: String?

    @Option(help: "Run name for --db.")
    var run: String?

    @Flag(help: "No progress display (by default: one updating line on a terminal, a line per batch of 64 otherwise).")
    var quiet = false

    /// Whether the settings come from a training config.
    var usesConfig: Bool { config != nil || !overrides.isEmpty }

    func validate() throws {
        guard split == "train" || split == "test" else { throw ValidationError("--split must be train or test") }
        guard (db == nil) == (run == nil) else { throw ValidationError("--db and --run go together") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if usesConfig {
            let given: [(String, Bool)] = [("--engine", engine != nil), ("--temperature", temperature != nil), ("--max-turns", maxTurns != nil),
                                           ("--topk", topk != nil), ("--seed", seed != nil), ("--threads", threads != nil)]
            if let (flag, _) = given.first(where: \.1) {
                throw ValidationError("\(flag) goes without --config: with a config, set its key instead (--set KEY=VALUE; see `searchlab config docs`)")
            }
        } else if world == nil {
            throw ValidationError("--world is required (or --config with world.dir)")
        }
    }

    /// What the evaluation runs with, from the config or the flags.
    struct Plan {
        var settings: EvaluationSettings
        var engine: String
        var threads: Int
        var worldDirectory: String
        var questionCount: Int?
        /// The resolved config, stored with the run (nil without --config).
        var resolved: ResolvedConfig?
    }

    func plan(contextLength: Int) throws -> Plan {
        guard usesConfig else {
            let settings = EvaluationSettings.standalone(contextLength: contextLength, maxTurns: maxTurns ?? 3, topK: topk ?? 3,
                                                         temperature: temperature ?? 0, seed: seed ?? 0)
            return Plan(settings: settings, engine: engine ?? "bm25", threads: threads ?? 2, worldDirectory: world!,
                        questionCount: limit, resolved: nil)
        }
        let resolved = try ConfigLoader.resolve(file: config, overrides: overrides)
        let training = try TrainingConfig(resolved)
        guard let directory = world ?? training.worldDirectory else {
            throw SearchLabError("no world: pass --world DIR, or set world.dir in the config (--set world.dir=DIR)")
        }
        try TrainingRun.checkLimits(training.rollout, context: contextLength, checkpoint: checkpoint)
        return Plan(settings: training.validationSettings, engine: training.rollout.retrieverEngine, threads: training.threads,
                    worldDirectory: directory, questionCount: limit ?? training.validationBatchSize, resolved: resolved)
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
            let loaded = try Checkpoint.load(from: URL(fileURLWithPath: checkpoint))
            let plan = try plan(contextLength: loaded.model.config.contextLength)
            let environment = try WorldEnvironment(directory: URL(fileURLWithPath: plan.worldDirectory))
            var questions = (split == "test" ? environment.test : environment.train).map { WorldPlans.question($0) }
            if let count = plan.questionCount { questions = Array(questions.prefix(count)) }
            let settings = plan.settings
            // Recorded, so the stored trajectories replay from the run's own retrieval log.
            let searchEngine = CallRecorder(try environment.engine(plan.engine, seed: settings.seed))
            Tensor.setBLASThreads(1)
            let replicas = ModelReplicas(loaded.model, pool: WorkerPool(count: plan.threads))
            let progress = ProgressLine("eval", total: questions.count, unit: "questions", quiet: quiet)
            progress.update(0)
            let provenance = Provenance(seed: settings.seed, checkpointDigest: loaded.digest, sampling: settings.sampling,
                                        engineFingerprint: searchEngine.fingerprint)
            let report = try await Evaluator.run(questions: questions, replicas: replicas, tokenizer: loaded.tokenizer,
                                                 engine: searchEngine, settings: settings, provenance: { _ in provenance },
                                                 progress: { done in progress.update(done, line: "eval \(done)/\(questions.count) questions") })
            progress.finish()
            var lines = report.exactMatchBySource.map { "\($0.source)\tEM \(String(format: "%.3f", $0.em))\t(n=\($0.count))" }
            lines.append("all\tEM \(String(format: "%.3f", report.exactMatch))\t(n=\(report.samples.count))\tsearches/trajectory \(String(format: "%.2f", report.meanSearches))")
            if let store, let run {
                let spec = RunSpec(name: run, source: "eval", configJSON: try plan.resolved?.canonicalJSON() ?? "{}", seed: settings.seed,
                                   codeVersion: SearchLabVersion.code, worldDigest: environment.manifest.files["corpus.jsonl"]?.sha256)
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
