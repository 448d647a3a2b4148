import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabEngines
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
            --temperature is set) against the engine, and prints exact match per data source. \
            With --db and --run the trajectories, their retrieval calls and the evaluation's \
            specification (a resolved config, the checkpoint as policy.checkpoint) are stored, so \
            count, diff, graph and replay work on them.

            With --config (and --set) the evaluation is the training run's validation: the \
            config's limits (data.max_response_length per turn, data.max_obs_length, \
            data.max_prompt_length, max_turns), retriever, val_kwargs sampling, trainer.seed and \
            trainer.threads, on the first data.val_batch_size test questions (--limit \
            overrides). The same checkpoint then scores exactly the run's val/em. Without \
            --config, eval takes the defaults with quick-look limits: 48 new tokens per turn, 100 \
            tokens per observation, the model's context less 32, 3 search turns, every question \
            (--limit N: the first N questions).

            The flags are config keys: --engine retriever.engine (default bm25), --topk \
            retriever.topk (3), --seed trainer.seed (0), --max-turns max_turns, --temperature \
            actor_rollout_ref.rollout.val_kwargs.temperature (0), --threads trainer.threads (2), \
            --world world.dir; a flag wins over the config. --index, --corpus, --dataset, --url \
            and the other engine options point the engine elsewhere than the world.
            """)

    @Option(help: ArgumentHelp("Checkpoint directory.", valueName: "CKPT"))
    var checkpoint: String

    @Option(help: ArgumentHelp("Evaluate as this training config's validation does.", valueName: "FILE.yaml"))
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key: key=value (repeatable; implies the config's settings).",
                                                          valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: "Split: train or test.")
    var split = "test"

    @OptionGroup(title: "Engine")
    var engineOptions: EngineOptions

    @OptionGroup
    var topK: TopKOption

    @OptionGroup
    var limit: LimitOption

    @Option(help: "Sampling temperature; 0 is greedy (actor_rollout_ref.rollout.val_kwargs.temperature).")
    var temperature: Double?

    @Option(help: "Search turns before the final answer-only turn (max_turns).")
    var maxTurns: Int?

    @Option(help: """
        Workers that decode side by side, each with one OpenBLAS thread (trainer.threads). The \
        results depend on it (it fixes how each turn's batch is split), not on the machine's cores.
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
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let temperature, temperature < 0 { throw ValidationError("--temperature must be at least 0") }
        if let maxTurns, maxTurns < 0 { throw ValidationError("--max-turns must be at least 0") }
        if !usesConfig && engineOptions.world == nil {
            throw ValidationError("--world is required (or --config with world.dir)")
        }
    }

    /// What the evaluation runs with: one resolved config, from the file or the defaults with
    /// quick-look limits, the flags as its keys on top.
    struct Plan {
        var config: TrainingConfig
        var resolved: ResolvedConfig
        var engine: EngineSpec
        var questionCount: Int?
    }

    func plan(contextLength: Int) throws -> Plan {
        var resolved = try ConfigLoader.resolve(file: config, overrides: usesConfig ? overrides
                                                : EvaluationSettings.quickLookOverrides(contextLength: contextLength))
        // (key, value, whether the value is text): the flags win over the config.
        let flags: [(String, String?, Bool)] = [
            ("retriever.engine", try engineOptions.kind()?.rawValue, true), ("retriever.topk", topK.topk.map(String.init), false),
            ("trainer.seed", engineOptions.seed.map(String.init), false), ("max_turns", maxTurns.map(String.init), false),
            ("actor_rollout_ref.rollout.val_kwargs.temperature", temperature.map { String($0) }, false),
            ("trainer.threads", threads.map(String.init), false), ("world.dir", engineOptions.world, true),
            ("policy.checkpoint", checkpoint, true),
        ]
        for case let (key, value?, isText) in flags { try resolved.set(key, text: value, quoted: isText) }
        let training = try TrainingConfig(resolved)
        try TrainingRun.checkLimits(training.rollout, context: contextLength, checkpoint: checkpoint)
        guard let kind = EngineKind(rawValue: training.rollout.retrieverEngine) else {
            throw SearchLabError("retriever.engine \(training.rollout.retrieverEngine) is not an engine: expected one of "
                                 + EngineKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return Plan(config: training, resolved: resolved,
                    engine: try engineOptions.spec(kind: kind, seed: training.seed, world: training.worldDirectory),
                    questionCount: limit.limit ?? (usesConfig ? training.validationBatchSize : nil))
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
            guard let worldDirectory = plan.config.worldDirectory else {
                throw SearchLabError("no world: pass --world DIR, or set world.dir in the config (--set world.dir=DIR)")
            }
            let environment = try WorldEnvironment(directory: URL(fileURLWithPath: worldDirectory))
            var questions = (split == "test" ? environment.test : environment.train).map { WorldPlans.question($0) }
            if let count = plan.questionCount { questions = Array(questions.prefix(count)) }
            let settings = plan.config.validationSettings
            // Recorded, so the stored trajectories replay from the run's own retrieval log.
            let searchEngine = CallRecorder(try EngineFactory.make(plan.engine))
            Tensor.setBLASThreads(1)
            let replicas = ModelReplicas(loaded.model, pool: WorkerPool(count: plan.config.threads))
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
                let spec = RunSpec(name: run, source: "eval", configJSON: try plan.resolved.canonicalJSON(), seed: settings.seed,
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
