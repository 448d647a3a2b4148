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

            Live engines are built over --world DIR (default: the run's world.dir), or from \
            --index/--corpus/--dataset/--url; --seed seeds them (default: the trajectory's seed). Exit status: 0 identical (or a what-if), 2 diverged, \
            1 error.

            --bundle DIR replays from a bundle `searchlab bundle` wrote, without the run database \
            (TRAJECTORY may be left out when it holds one).

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

    @OptionGroup
    var limit: LimitOption

    @Option(help: "Run database.")
    var db: String?

    @Option(help: ArgumentHelp("Replay from this bundle (`searchlab bundle`) instead of a run database.", valueName: "DIR"))
    var bundle: String?

    @Option(help: ArgumentHelp("Checkpoint directory (default: the one with the recorded weights digest).", valueName: "CKPT"))
    var checkpoint: String?

    @Flag(help: "Check the stored tokens by teacher forcing instead of re-generating them.")
    var verify = false

    @OptionGroup(title: "Engine")
    var engineOptions: EngineOptions

    @OptionGroup
    var topK: TopKOption

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    /// The engine asked: recorded (the recording's answers) unless --engine names another
    /// (an unknown name is a one-line error when the command runs).
    var engineKind: EngineKind { ((try? engineOptions.kind()) ?? nil) ?? .recorded }

    func validate() throws {
        guard (db == nil) != (bundle == nil) else { throw ValidationError("pass --db DB, or --bundle DIR (not both)") }
        if bundle != nil && (failed || checkpoint != nil) {
            throw ValidationError("--bundle replays one of its trajectories with its own checkpoint: no --failed or --checkpoint")
        }
        if (engineOptions.engine == nil || engineOptions.engine == EngineKind.recorded.rawValue) && (engineOptions.givesEngineSources || engineOptions.seed != nil) {
            throw ValidationError("--world, --index, --corpus, --url and the other engine options are for live engines; the recorded engine needs none")
        }
        if failed {
            guard run != nil, trajectory == nil else { throw ValidationError("--failed triages a whole run: pass --run RUN and no TRAJECTORY") }
            if topK.topk != nil || checkpoint != nil {
                throw ValidationError("--topk and --checkpoint replay one trajectory; --failed replays each as recorded")
            }
        } else {
            guard trajectory != nil || bundle != nil else { throw ValidationError("name a TRAJECTORY, or triage a run with --run RUN --failed") }
            if run != nil || limit.limit != nil { throw ValidationError("--run and --limit go with --failed") }
        }
    }

    func run() async throws {
        var diverged = false
        try await reportingErrorsAsync {
            _ = try engineOptions.kind()
            if failed {
                let store = try RunStore(path: db!, create: false)
                let triage = try await triageFailures(store: store)
                Output.write(format == .json ? try CanonicalJSON.string(triage) + "\n" : triage.text())
                diverged = triage.divergedCount > 0
                return
            }
            let (store, ref, bundledCheckpoint, scratch) = try openSource()
            defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
            let setup = try ReplaySetup(store: store, ref: ref)
            let options = ReplayOptions(engine: try liveEngine(for: setup), topK: topK.topk, checkpoint: checkpoint ?? bundledCheckpoint,
                                        verify: verify)
            let report = try await Replayer.replay(setup, store: store, options: options)
            let palette = Palette(enabled: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
            Output.write(format == .json ? try CanonicalJSON.string(report) + "\n" : report.text(palette: palette))
            diverged = report.diverged
        }
        if diverged { throw ExitCode(2) }
    }

    /// The database and trajectory to replay: from --db, or a checked bundle's database copied
    /// to a scratch folder (removed afterwards) with the bundle's checkpoint.
    func openSource() throws -> (store: RunStore, ref: TrajectoryRef, checkpoint: String?, scratch: URL?) {
        guard let bundle else { return (try RunStore(path: db!, create: false), try TrajectoryRef(parsing: trajectory!), nil, nil) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("searchlab-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        do {
            let directory = URL(fileURLWithPath: bundle)
            let (store, entry) = try ReplayBundle.open(directory, trajectory: trajectory, scratch: scratch)
            return (store, try TrajectoryRef(parsing: entry.trajectory), directory.appendingPathComponent(entry.checkpoint).path, scratch)
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }

    /// `--run R --failed`: every failing trajectory verified, and replayed with --engine if set.
    func triageFailures(store: RunStore) async throws -> FailureTriage {
        let record = try store.run(named: run!)
        let whatIf = engineKind != .recorded
        let selection = try FailureTriage.selection(of: record, store: store, limit: limit.limit)
        let progress = ProgressLine("replay", total: selection.ids.count, unit: "trajectories", quiet: format == .json)
        defer { progress.finish() }
        return try await FailureTriage.run(record, selection: selection, store: store,
                                           engineFor: whatIf ? { try liveEngine(for: $0)! } : nil,
                                           progress: { done in progress.update(done, line: "replay \(done)/\(selection.ids.count) trajectories") })
    }

    /// The live engine of a what-if, nil for the recorded answers: built from the engine
    /// options, over the training run's world when they name no other files, seeded as the
    /// trajectory was (unless --seed).
    func liveEngine(for setup: ReplaySetup) throws -> (any SearchEngine)? {
        guard engineKind != .recorded else { return nil }
        let world = setup.trainingConfig?.worldDirectory
        let spec = try engineOptions.spec(kind: engineKind, seed: engineOptions.seed ?? setup.provenance?.seed ?? 0, world: world)
        if spec.worldDirectory == nil && spec.indexPath == nil && spec.corpusPath == nil && spec.url == nil && engineKind != .empty {
            throw SearchLabError("--engine \(engineKind.rawValue) needs --world DIR (or --index/--corpus/--url) to search")
        }
        return try EngineFactory.make(spec)
    }
}
