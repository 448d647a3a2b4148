import ArgumentParser
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabEngines
import SearchLabReplay
import SearchLabStore
import SearchLabTrainer

/// `searchlab replay`: re-run a stored trajectory and confirm it, or ask what-if.
struct ReplayCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a stored trajectory and confirm it byte for byte, or replay it with another engine.",
        discussion: """
            For a trajectory from `searchlab train` or `searchlab eval`, re-runs its rollout from \
            the recorded seed, checkpoint (found by weights digest, or --checkpoint), sampling \
            settings and retrieval answers, and reports "identical" or the first divergence: \
            turn, generation or observation, token position, expected and got, and why \
            (different logits, or a different retrieval result). --verify checks each stored \
            turn with one teacher-forced forward pass instead of generating it (turns that check \
            cannot confirm are generated as before).

            With --engine (not recorded) or another --topk, the same question is replayed against \
            that engine and the changes are shown turn by turn. For imported rollouts there is no \
            policy to re-run: their queries are asked again and the documents compared per turn.

            Live engines are built over --world DIR (default: the training run's world.dir), or \
            from --index/--corpus/--url. Exit status: 0 identical (or a what-if), 2 diverged, \
            1 error.

            --run R --failed triages a run's misses in one go: each trajectory with exact match 0 \
            (the first --limit of them) is verified against its recording, and with --engine \
            (oracle, say) replayed against it too. One line each says whether the failure \
            reproduces and, with the engine, whether its documents led to the right answer \
            (a retrieval failure) or not (a reasoning failure); then the totals. Exit status 2 \
            when any diverged.
            """)

    @Argument(help: ArgumentHelp("Trajectory: store id (42 or #42) or run:step:question:sample.", valueName: "TRAJECTORY"))
    var trajectory: String?

    @Option(help: ArgumentHelp("With --failed: the run whose failing trajectories to triage.", valueName: "RUN"))
    var run: String?

    @Flag(help: "Triage every failing trajectory of --run (verify each; with --engine, replay each against it too).")
    var failed = false

    @Option(help: ArgumentHelp("With --failed: at most N trajectories, the first ones stored.", valueName: "N"))
    var limit: Int?

    @Option(help: "Run database.")
    var db: String

    @Option(help: "Engine: recorded (the recording's answers), or bm25, random, empty, oracle, http for a what-if.")
    var engine = "recorded"

    @Option(help: ArgumentHelp("Documents per search (default: as recorded).", valueName: "K"))
    var topk: Int?

    @Option(help: ArgumentHelp("Checkpoint directory (default: the one with the recorded weights digest).", valueName: "CKPT"))
    var checkpoint: String?

    @Flag(help: "Check the stored tokens by teacher forcing instead of re-generating them.")
    var verify = false

    @Option(help: ArgumentHelp("World directory for live engines.", valueName: "DIR"))
    var world: String?

    @Option(help: ArgumentHelp("BM25 index for --engine bm25 (instead of a world).", valueName: "INDEX"))
    var index: String?

    @Option(help: ArgumentHelp("Corpus JSONL for --engine random or oracle (instead of a world).", valueName: "FILE"))
    var corpus: String?

    @Option(help: ArgumentHelp("Search-R1 /retrieve endpoint for --engine http.", valueName: "URL"))
    var url: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        guard let kind = EngineKind(rawValue: engine) else {
            throw ValidationError("--engine must be one of \(EngineKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if kind == .recorded && (world != nil || index != nil || corpus != nil || url != nil) {
            throw ValidationError("--world, --index, --corpus and --url are for live engines; the recorded engine needs none")
        }
        if let topk, topk < 1 { throw ValidationError("--topk must be at least 1") }
        if failed {
            guard run != nil, trajectory == nil else { throw ValidationError("--failed triages a whole run: pass --run RUN and no TRAJECTORY") }
            if topk != nil || checkpoint != nil {
                throw ValidationError("--topk and --checkpoint replay one trajectory; --failed replays each as recorded")
            }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        } else {
            guard trajectory != nil else { throw ValidationError("name a TRAJECTORY, or triage a run with --run RUN --failed") }
            if run != nil || limit != nil { throw ValidationError("--run and --limit go with --failed") }
        }
    }

    func run() async throws {
        var diverged = false
        try await reportingErrorsAsync {
            let store = try RunStore(path: db, create: false)
            if failed {
                let triage = try await triageFailures(store: store)
                Output.write(format == .json ? try CanonicalJSON.string(triage) + "\n" : triage.text())
                diverged = triage.divergedCount > 0
                return
            }
            let setup = try ReplaySetup(store: store, ref: TrajectoryRef(parsing: trajectory!))
            let options = ReplayOptions(engine: try liveEngine(for: setup), topK: topk, checkpoint: checkpoint, verify: verify)
            let report = try await Replayer.replay(setup, store: store, options: options)
            let palette = Palette(enabled: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
            Output.write(format == .json ? try CanonicalJSON.string(report) + "\n" : report.text(palette: palette))
            diverged = report.diverged
        }
        if diverged { throw ExitCode(2) }
    }

    /// `--run R --failed`: every failing trajectory verified, and replayed with --engine if set.
    func triageFailures(store: RunStore) async throws -> FailureTriage {
        let record = try store.run(named: run!)
        let whatIf = EngineKind(rawValue: engine) != .recorded
        let selection = try FailureTriage.selection(of: record, store: store, limit: limit)
        let progress = ProgressLine("replay", total: selection.ids.count, unit: "trajectories", quiet: format == .json)
        defer { progress.finish() }
        return try await FailureTriage.run(record, selection: selection, store: store,
                                           engineFor: whatIf ? { try liveEngine(for: $0)! } : nil,
                                           progress: { done in progress.update(done, line: "replay \(done)/\(selection.ids.count) trajectories") })
    }

    /// The live engine of a what-if, nil for the recorded answers.
    func liveEngine(for setup: ReplaySetup) throws -> (any SearchEngine)? {
        let kind = EngineKind(rawValue: engine)!
        guard kind != .recorded else { return nil }
        let seed = setup.provenance?.seed ?? 0
        if index == nil && corpus == nil && url == nil {
            guard let directory = world ?? setup.trainingConfig?.worldDirectory else {
                throw SearchLabError("--engine \(engine) needs --world DIR (or --index/--corpus/--url) to search")
            }
            return try WorldEnvironment(directory: URL(fileURLWithPath: directory)).engine(engine, seed: seed)
        }
        var spec = EngineSpec(kind: kind)
        spec.indexPath = index
        spec.corpusPath = corpus
        spec.url = url
        spec.seed = seed
        return try EngineFactory.make(spec)
    }
}
