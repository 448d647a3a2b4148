// `searchlab replay`: re-runs a stored trajectory's rollout from its recorded seed,
// checkpoint, settings and retrieval log and compares the result with the recording; or,
// with another engine or top-k, shows what would have changed.
import SearchLabAnalysis
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabTrainer

/// What to replay with.
public struct ReplayOptions: Sendable {
    /// A live engine for a what-if replay (or to re-issue an import's queries); nil replays
    /// the recorded answers.
    public var engine: (any SearchEngine)?
    /// Documents per search when it should differ from the recording (what-if).
    public var topK: Int?
    /// Checkpoint directory; by default the one with the recorded weights digest.
    public var checkpoint: String?
    /// Check stored tokens by teacher forcing instead of generating them.
    public var verify: Bool

    public init(engine: (any SearchEngine)? = nil, topK: Int? = nil, checkpoint: String? = nil, verify: Bool = false) {
        self.engine = engine
        self.topK = topK
        self.checkpoint = checkpoint
        self.verify = verify
    }
}

public enum Replayer {
    /// Replays the trajectory `setup` describes.
    /// - Throws: ``SearchLabError`` when the options do not fit the trajectory (an import
    ///   without --engine, --verify with a what-if) or its checkpoint cannot be found.
    public static func replay(_ setup: ReplaySetup, store: RunStore, options: ReplayOptions) async throws -> ReplayReport {
        let whatIf = options.engine != nil || (options.topK.map { $0 != setup.topK } ?? false)
        if options.verify && whatIf {
            throw SearchLabError("--verify checks the recording as it is; it cannot be combined with another --engine or --topk")
        }
        if options.engine == nil, let topK = options.topK, topK > setup.topK {
            throw SearchLabError("the recording holds at most \(setup.topK) documents per search; pass a live --engine to ask for \(topK)")
        }
        guard setup.origin != .imported else {
            guard let engine = options.engine else {
                throw SearchLabError("\(setup.stored.publicID) was imported, so there is no policy to re-run; pass --engine ENGINE to re-issue its queries")
            }
            if options.verify { throw SearchLabError("--verify needs a trajectory SearchLab sampled; \(setup.stored.publicID) was imported") }
            return try await Requery.run(setup, engine: engine, topK: options.topK ?? setup.topK)
        }
        let provenance = setup.provenance!, sampling = provenance.sampling!
        let (loaded, rebuiltFrom) = try await CheckpointLookup.find(digest: provenance.checkpointDigest!, explicit: options.checkpoint,
                                                                    setup: setup, store: store)
        let calls = try store.retrievalCalls(runID: setup.run.id!, step: setup.stored.record.step)
        let recorded = RecordedAnswers(calls: calls, trajectory: setup.stored.trajectory)
        let engine = options.engine ?? recorded
        let turnSettings = PolicyTurnGenerator.turnSettings(temperature: sampling.temperature, topP: sampling.topP,
                                                            maxNewTokens: sampling.maxTokensPerTurn, endOfText: loaded.tokenizer.endOfText)
        let generator = PolicyTurnGenerator(model: loaded.model, tokenizer: loaded.tokenizer, settings: turnSettings, seed: provenance.seed)
        let settings = setup.rolloutSettings(topK: options.topK)!
        var replayed: Trajectory
        var sampled: [Int: [Int]]
        var verifyStats: VerifyStats?
        var batchInfo: BatchReplayInfo?
        // A what-if leaves the recording at once, so its row is decoded alone.
        if !whatIf, let batch = try ReplayBatch.load(setup, store: store) {
            let loop = RolloutLoop(settings: settings, tokenizer: loaded.tokenizer, engine: RecordedRowAnswers(rows: batch.rows.map(\.trajectory), calls: calls,
                                                                                         engineFingerprint: provenance.engineFingerprint, byQuery: recorded),
                                   scoring: setup.scoring)
            var policy = ShardReplayPolicy(batch: batch, generator: generator, verify: options.verify)
            replayed = try await loop.run(batch.questions, sequenceIDs: batch.sequenceIDs, policy: &policy)[batch.target].trajectory
            sampled = policy.generated.mapValues(\.tokens)
            verifyStats = options.verify ? policy.stats : nil
            batchInfo = BatchReplayInfo(rows: batch.rows.count, row: batch.target, workers: batch.workers, shards: policy.shards)
        } else {
            let loop = RolloutLoop(settings: settings, tokenizer: loaded.tokenizer, engine: engine, scoring: setup.scoring)
            let ids = [setup.sequenceID!]
            if options.verify {
                var policy = CapturingPolicy(TeacherForcedPolicy(storedTurns: setup.stored.trajectory.turns, generator: generator))
                replayed = try await loop.run([setup.stored.trajectory.question], sequenceIDs: ids, policy: &policy)[0].trajectory
                sampled = policy.generated.mapValues(\.tokens)
                verifyStats = policy.inner.stats
            } else {
                var policy = CapturingPolicy(generator)
                replayed = try await loop.run([setup.stored.trajectory.question], sequenceIDs: ids, policy: &policy)[0].trajectory
                sampled = policy.generated.mapValues(\.tokens)
            }
        }
        replayed.provenance = provenance
        replayed.provenance?.engineFingerprint = engine.fingerprint
        let divergence = DivergenceFinder.first(recorded: setup.stored.trajectory, replayed: replayed,
                                                sampled: sampled, tokenizer: loaded.tokenizer)
        var report = ReplayReport(setup: setup, mode: options.verify ? .verify : whatIf ? .whatIf : .replay,
                                  engine: engine.fingerprint, topK: options.topK ?? setup.topK)
        report.checkpointDigest = loaded.digest
        report.weightsRebuiltFrom = rebuiltFrom
        report.batch = batchInfo
        report.identical = divergence == nil && replayed.render() == setup.stored.trajectory.render()
        report.divergence = divergence
        report.verify = verifyStats
        report.outcomeChanged = replayed.outcome != setup.stored.trajectory.outcome
        report.replayedExactMatch = replayed.outcome.exactMatch
        if whatIf {
            let replayedStored = StoredTrajectory(record: setup.stored.record, runName: "replay", trajectory: replayed)
            report.changes = TrajectoryDiff(setup.stored, replayedStored)
        }
        return report
    }
}
