// The CPU-heavy part of storing a trajectory (canonical JSON, digest, derived counts),
// done before the write transaction and across cores, so the transaction only runs SQL.
import Dispatch
import SearchLabCore

/// A trajectory with everything the store derives from it.
public struct PreparedTrajectory: Sendable {
    public var trajectory: Trajectory
    var canonicalJSON: String
    var digest: String
    var stats: TrajectoryStats
    var goldenAnswersJSON: String
    var provenanceJSON: String?

    /// - Throws: ``TrajectoryJSONWriter/NonFiniteNumber`` for a reward of NaN, say.
    public init(_ trajectory: Trajectory) throws {
        // The hand-written encoder gives CanonicalJSON's bytes (see TrajectoryJSONWriter).
        let json = try TrajectoryJSONWriter.encode(trajectory)
        self.trajectory = trajectory
        canonicalJSON = String(decoding: json, as: UTF8.self)
        digest = CanonicalJSON.sha256Hex(json)
        stats = TrajectoryStats(trajectory)
        goldenAnswersJSON = TrajectoryJSONWriter.string(trajectory.question.goldenAnswers)
        provenanceJSON = try trajectory.provenance.map { try TrajectoryJSONWriter.string($0) }
    }

    /// Prepares `trajectories` in parallel; the result is in input order.
    public static func prepareAll(_ trajectories: [Trajectory]) throws -> [PreparedTrajectory] {
        let results = ResultSlots(count: trajectories.count)
        DispatchQueue.concurrentPerform(iterations: trajectories.count) { index in
            results.set(index, Result { try PreparedTrajectory(trajectories[index]) })
        }
        return try results.values().map { try $0.get() }
    }
}

/// Fixed slots written by index from `concurrentPerform`; each slot is written once, by one
/// iteration, and read only after all iterations finish.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<PreparedTrajectory, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<PreparedTrajectory, any Error>) {
        slots.withUnsafeMutableBufferPointer { $0[index] = value }
    }
    func values() -> [Result<PreparedTrajectory, any Error>] { slots.map { $0! } }
}
