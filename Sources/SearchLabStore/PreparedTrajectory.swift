// The CPU-heavy part of storing a trajectory (canonical JSON, digest, derived counts, which
// texts can be left out), done before the write transaction and across cores, so the
// transaction only runs SQL.
import Crypto
import Dispatch
import SearchLabCore

/// A trajectory with everything the store derives from it.
public struct PreparedTrajectory: Sendable {
    public var trajectory: Trajectory
    /// The canonical JSON, kept only when the rows cannot rebuild the trajectory exactly
    /// (see ``RowLayout/rebuildable(_:canonicalJSON:)``); nil for almost every trajectory.
    var canonicalJSON: String?
    var digest: String
    var stats: TrajectoryStats
    var goldenAnswersJSON: String
    var provenanceJSON: String?
    /// nil when the trajectory has no malformations of its own.
    var malformationsJSON: String?
    var turns: [PreparedTurn]

    /// - Throws: ``TrajectoryJSONWriter/NonFiniteNumber`` for a reward of NaN, say.
    public init(_ trajectory: Trajectory) throws {
        // The hand-written encoder gives CanonicalJSON's bytes (see TrajectoryJSONWriter).
        var writer = TrajectoryJSONWriter()
        try writer.write(trajectory)
        let json = writer.bytes
        self.trajectory = trajectory
        digest = Self.sha256Hex(json)
        canonicalJSON = RowLayout.rebuildable(trajectory, holdsNUL: writer.wroteNUL) ? nil : String(decoding: json, as: UTF8.self)
        stats = TrajectoryStats(trajectory)
        goldenAnswersJSON = TrajectoryJSONWriter.string(trajectory.question.goldenAnswers)
        provenanceJSON = try trajectory.provenance.map { try TrajectoryJSONWriter.string($0) }
        malformationsJSON = trajectory.malformations.isEmpty ? nil : TrajectoryJSONWriter.string(trajectory.malformations)
        turns = trajectory.turns.map(PreparedTurn.init)
    }

    /// `CanonicalJSON.sha256Hex(bytes)`, with the hex digits written into one buffer instead
    /// of a string per byte (which cost twice the hashing itself).
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { buffer in
            var at = 0
            for byte in digest {
                buffer[at] = digits[Int(byte >> 4)]
                buffer[at + 1] = digits[Int(byte & 0x0F)]
                at += 2
            }
            return at
        }
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

/// The column values of one `turn` row that are not copied straight from the turn.
struct PreparedTurn: Sendable {
    /// nil when the raw generation is byte-for-byte the kept text.
    var rawGeneration: String?
    /// nil when the observation is absent or its text is derivable from its kind and documents.
    var observationText: String?
    var malformationsJSON: String

    init(_ turn: Turn) {
        rawGeneration = RowLayout.sameBytes(turn.rawGeneration, turn.text) ? nil : turn.rawGeneration
        observationText = turn.observation.flatMap { RowLayout.isDerivable($0) ? nil : $0.text }
        malformationsJSON = turn.malformations.isEmpty ? "[]" : TrajectoryJSONWriter.string(turn.malformations)
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
