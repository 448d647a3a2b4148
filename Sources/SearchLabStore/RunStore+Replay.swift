// What a replay reads besides the trajectory: its place in its step's batch, the engine
// calls recorded at that step, and the checkpoints known by weights digest.
import Foundation
import GRDB
import SearchLabCore

/// One recorded engine call, decoded.
public struct RecordedRetrieval: Hashable, Sendable {
    public var step: Int?
    public var engineFingerprint: String
    public var query: String
    public var topK: Int
    public var hits: [SearchHit]

    public init(step: Int?, engineFingerprint: String, query: String, topK: Int, hits: [SearchHit]) {
        self.step = step
        self.engineFingerprint = engineFingerprint
        self.query = query
        self.topK = topK
        self.hits = hits
    }
}

extension RunStore {
    /// The run with store id `id`. - Throws: ``SearchLabError`` when there is none.
    public func run(id: Int64) throws -> RunRecord {
        try read { db in
            guard let run = try RunRecord.fetchOne(db, key: id) else { throw SearchLabError("no run #\(id) in \(path)") }
            return run
        }
    }

    /// The 0-based position of a trajectory among those stored for its run and step, in
    /// insertion order: the row it had in the batch that produced it (the trainer and
    /// `eval` store a step's rollouts in batch order, in one transaction).
    public func batchRow(of stored: StoredTrajectory) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trajectory WHERE run_id = ? AND step = ? AND id < ?",
                             arguments: [stored.record.runID, stored.record.step, stored.id]) ?? 0
        }
    }

    /// The store ids of the trajectories a run stored at `step`, in batch order.
    public func trajectoryIDs(runID: Int64, step: Int) throws -> [Int64] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM trajectory WHERE run_id = ? AND step = ? ORDER BY id", arguments: [runID, step])
        }
    }

    /// The engine calls a run's rollouts made at `step`, in the order they were made (the
    /// step's validation calls are logged too, as `validation`, and are not among them).
    /// - Throws: ``LocatedError`` naming the database when a logged answer is not valid JSON.
    public func retrievalCalls(runID: Int64, step: Int) throws -> [RecordedRetrieval] {
        let rows = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT step, engine_fingerprint, query, top_k, hits_json FROM retrieval_log
                WHERE run_id = ? AND step = ? AND phase = 'rollout' ORDER BY id
                """, arguments: [runID, step])
        }
        return try rows.map { row in
            let json: String = row["hits_json"]
            let hits: [SearchHit]
            do {
                hits = try JSONDecoder().decode([SearchHit].self, from: Data(json.utf8))
            } catch {
                throw LocatedError(file: path, line: nil, message: "retrieval_log holds an answer that is not a list of hits; the database is damaged")
            }
            return RecordedRetrieval(step: row["step"], engineFingerprint: row["engine_fingerprint"],
                                     query: row["query"], topK: row["top_k"], hits: hits)
        }
    }

    /// The store ids of a run's trajectories that missed (exact match 0), in insertion order
    /// (step by step, batch order within a step).
    public func failingTrajectoryIDs(runID: Int64) throws -> [Int64] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM trajectory WHERE run_id = ? AND exact_match = 0 ORDER BY id", arguments: [runID])
        }
    }

    /// How many trajectories a run stored.
    public func trajectoryCount(runID: Int64) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trajectory WHERE run_id = ?", arguments: [runID]) ?? 0 }
    }

    /// Checkpoints of any run whose weights have `digest`, newest run first.
    public func checkpoints(withDigest digest: String) throws -> [CheckpointRecord] {
        try read { db in
            try CheckpointRecord.fetchAll(db, sql: """
                SELECT c.* FROM checkpoint c JOIN run r ON r.id = c.run_id
                WHERE c.digest = ? ORDER BY r.created_order DESC, c.step
                """, arguments: [digest])
        }
    }
}
