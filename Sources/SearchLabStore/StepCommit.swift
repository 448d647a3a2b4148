// Everything one training step stores, committed in one transaction (``StoreWriter/commit(_:runID:)``):
// a crash leaves either the whole step or none of it, and never a checkpoint record without
// its step or a step without its retrieval calls.
import SearchLabCore

/// One engine call as a step made it, with the phase that made it.
public struct LoggedCall: Hashable, Sendable {
    public var engineFingerprint: String
    public var query: String
    public var topK: Int
    public var hits: [SearchHit]
    public var phase: RetrievalPhase

    public init(engineFingerprint: String, query: String, topK: Int, hits: [SearchHit], phase: RetrievalPhase) {
        self.engineFingerprint = engineFingerprint
        self.query = query
        self.topK = topK
        self.hits = hits
        self.phase = phase
    }
}

/// A checkpoint whose files are already on disk and synced.
public struct SavedCheckpoint: Hashable, Sendable {
    /// Steps completed when it was saved (the weights the rollouts of step `step` use).
    public var step: Int
    public var path: String
    /// ``Checkpoint/weightsDigest(_:)`` of its weights.
    public var digest: String

    public init(step: Int, path: String, digest: String) {
        self.step = step
        self.path = path
        self.digest = digest
    }
}

/// A training step's record.
public struct StepCommit: Sendable {
    public var step: Int
    public var metrics: [String: Double]
    public var trajectories: [PreparedTrajectory]
    /// Rollout calls first, then validation calls, each in the order they were made.
    public var calls: [LoggedCall]
    public var checkpoint: SavedCheckpoint?
    /// The token view of each trajectory the update trained on, by index into ``trajectories``.
    public var tokenViews: [Int: TokenView]

    public init(step: Int, metrics: [String: Double], trajectories: [PreparedTrajectory], calls: [LoggedCall],
                checkpoint: SavedCheckpoint?, tokenViews: [Int: TokenView] = [:]) {
        self.step = step
        self.metrics = metrics
        self.trajectories = trajectories
        self.calls = calls
        self.checkpoint = checkpoint
        self.tokenViews = tokenViews
    }
}
