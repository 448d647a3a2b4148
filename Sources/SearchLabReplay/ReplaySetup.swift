// Everything a replay re-runs a stored trajectory with, recovered from the run database:
// the sampling stream (seed and the row's sequence id), the rollout settings, the scoring,
// and the training config when the run came from `searchlab train`.
import Foundation
import SearchLabCore
import SearchLabStore
import SearchLabTrainer

/// Where a stored trajectory came from, which decides how its sampling stream was keyed.
public enum ReplayOrigin: String, Codable, Sendable {
    /// `searchlab train`: row r of step s drew from `trainer.rollout`(s, r).
    case training
    /// `searchlab eval`: question i drew from `eval.sequence`(i).
    case evaluation
    /// Imported rollouts: no policy to re-run; only their queries can be re-issued.
    case imported
}

/// A stored trajectory with the settings that produced it.
public struct ReplaySetup: Sendable {
    public var stored: StoredTrajectory
    public var run: RunRecord
    public var origin: ReplayOrigin
    /// Present for ``ReplayOrigin/training`` and ``ReplayOrigin/evaluation``.
    public var provenance: Provenance?
    /// The row's position in its step's batch.
    public var batchRow: Int
    /// The parsed training config of a `train` run.
    public var trainingConfig: TrainingConfig?
    /// Documents per search, as recorded (see ``recordedTopK(_:calls:config:)``).
    public var topK: Int
    public var scoring: ScoringOptions

    /// Loads `ref` from `store` and recovers its settings.
    /// - Throws: ``SearchLabError`` for unknown ids, or a SearchLab trajectory whose
    ///   provenance lacks what a replay needs.
    public init(store: RunStore, ref: TrajectoryRef) throws {
        stored = try store.trajectory(ref)
        run = try store.run(id: stored.record.runID)
        provenance = stored.trajectory.provenance
        switch run.source {
        case "train": origin = .training
        case "eval": origin = .evaluation
        default: origin = .imported
        }
        if origin != .imported, provenance?.checkpointDigest == nil || provenance?.sampling == nil {
            throw SearchLabError("trajectory \(stored.publicID) has no checkpoint digest or sampling settings in its provenance; it cannot be re-run (try --engine to re-issue its queries)")
        }
        batchRow = try store.batchRow(of: stored)
        // An eval run stored before eval kept its specification has an empty one: its
        // trajectories still replay from their provenance, one row at a time.
        if origin == .training || (origin == .evaluation && run.configJSON != "{}") {
            trainingConfig = try Self.storedConfig(of: run)
        }
        let calls = origin == .imported ? [] : try store.retrievalCalls(runID: run.id!, step: stored.record.step)
        topK = Self.recordedTopK(stored.trajectory, calls: calls, config: trainingConfig)
        // Training scores with the run's reward; eval as the run's validation does (exact match).
        switch (origin, trainingConfig) {
        case (.training, let config?): scoring = ScoringOptions(scheme: config.rewardScheme, weights: config.rewardWeights)
        case (.evaluation, let config?): scoring = config.validationSettings.scoring
        default: scoring = ScoringOptions()
        }
    }

    /// A training run's stored config, read strictly: a replay under guessed settings (EM for a
    /// run scored by the format reward, say) would report a divergence that is not one.
    /// - Throws: ``SearchLabError`` naming the run and what failed to read.
    static func storedConfig(of run: RunRecord) throws -> TrainingConfig {
        do {
            return try TrainingConfig(ResolvedConfig(canonicalJSON: Data(run.configJSON.utf8)))
        } catch let error as SearchLabError {
            throw SearchLabError("the stored config of run \(run.name) cannot be read (\(error.message)); it was written by "
                                 + "SearchLab \(run.codeVersion): replay it with that version, whose config keys it uses")
        }
    }

    /// The run config's `retriever.topk`; else the top-k of the step's logged calls; else the
    /// most documents any of the trajectory's searches showed; else Search-R1's default 3.
    static func recordedTopK(_ trajectory: Trajectory, calls: [RecordedRetrieval], config: TrainingConfig?) -> Int {
        if let config { return config.rollout.topK }
        if let logged = calls.first?.topK { return logged }
        let shown = trajectory.turns.compactMap { $0.observation?.documents.count }.max() ?? 0
        return shown > 0 ? shown : 3
    }

    /// The id that keys this row's sampling streams, exactly as the producing command derived it.
    public var sequenceID: UInt64? { sequenceID(ofRow: batchRow) }

    /// The sampling stream key of row `row` of this trajectory's step.
    public func sequenceID(ofRow row: Int) -> UInt64? {
        guard let seed = provenance?.seed else { return nil }
        switch origin {
        case .training:
            return RandomStream.deriveKey(seed: seed, purpose: "trainer.rollout", indices: [UInt64(stored.record.step), UInt64(row)])
        case .evaluation:
            return RandomStream.deriveKey(seed: seed, purpose: "eval.sequence", indices: [UInt64(row)])
        case .imported:
            return nil
        }
    }

    /// The rollout loop's settings; `topK` overrides the recorded one (what-if).
    public func rolloutSettings(topK override: Int? = nil) -> RolloutSettings? {
        guard let sampling = provenance?.sampling else { return nil }
        // maxStartTokens only trims the prompt the trainer optimises, never the trajectory.
        return RolloutSettings(maxTurns: sampling.maxTurns, maxObservationTokens: sampling.maxObservationTokens,
                               contextLimit: sampling.contextLimit, maxStartTokens: sampling.contextLimit,
                               topK: override ?? topK)
    }
}
