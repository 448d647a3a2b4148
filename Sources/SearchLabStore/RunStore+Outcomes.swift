// The narrow per-trajectory rows analyses group by, without loading any trajectory's text.
import GRDB
import SearchLabCore

/// One stored trajectory's place and result.
public struct TrajectoryOutcome: Hashable, Sendable {
    public var id: Int64
    public var step: Int
    public var exactMatch: Bool
    public var questionID: String
    public var dataSource: String
    /// Hops of the question when its data source says (`sim-2hop`).
    public var hops: Int?
}

extension RunStore {
    /// Every trajectory of a run, in insertion order (step by step, batch order within a step).
    public func trajectoryOutcomes(runID: Int64) throws -> [TrajectoryOutcome] {
        try read { db in
            try TrajectoryRecord.filter(Column("run_id") == runID).order(Column("id")).fetchAll(db).map {
                TrajectoryOutcome(id: $0.id!, step: $0.step, exactMatch: $0.exactMatch, questionID: $0.questionID,
                                  dataSource: $0.dataSource, hops: $0.hops)
            }
        }
    }
}
