// Reading trajectories back, and the public trajectory id.
import Foundation
import GRDB
import SearchLabCore

/// How a user names a trajectory: the store id (`42` or `#42`) or the stable public id
/// `run:step:question:sample` (the question id may itself contain `:`).
public enum TrajectoryRef: Hashable, Sendable, CustomStringConvertible {
    case storeID(Int64)
    case key(run: String, step: Int, questionID: String, sampleIndex: Int)

    /// Parses a reference. - Throws: ``SearchLabError`` saying both accepted forms.
    public init(parsing text: String) throws {
        let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
        if let id = Int64(digits), id > 0 { self = .storeID(id); return }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 4, let step = Int(parts[1]), let sample = Int(parts[parts.count - 1]), !parts[0].isEmpty {
            self = .key(run: String(parts[0]), step: step,
                        questionID: parts[2..<(parts.count - 1)].joined(separator: ":"), sampleIndex: sample)
            return
        }
        throw SearchLabError("\"\(text)\" is not a trajectory id; use a store id such as 42 or run:step:question:sample")
    }

    public var description: String {
        switch self {
        case .storeID(let id): return "#\(id)"
        case let .key(run, step, question, sample): return "\(run):\(step):\(question):\(sample)"
        }
    }
}

/// A trajectory as stored: its ids, its row, and the trajectory itself.
public struct StoredTrajectory: Sendable {
    public var record: TrajectoryRecord
    public var runName: String
    /// Rebuilt from the stored rows (or decoded from the stored canonical JSON): equal to what was written.
    public var trajectory: Trajectory

    public init(record: TrajectoryRecord, runName: String, trajectory: Trajectory) {
        self.record = record
        self.runName = runName
        self.trajectory = trajectory
    }

    public var id: Int64 { record.id ?? 0 }
    /// `run:step:question:sample`.
    public var publicID: String {
        TrajectoryRef.key(run: runName, step: record.step, questionID: record.questionID,
                          sampleIndex: record.sampleIndex).description
    }
}

extension RunStore {
    /// The store id a reference names. - Throws: ``SearchLabError`` when nothing matches.
    public func resolve(_ ref: TrajectoryRef) throws -> Int64 {
        try read { db in
            try requireRuns(db)
            let id: Int64?
            switch ref {
            case .storeID(let value):
                id = try Int64.fetchOne(db, sql: "SELECT id FROM trajectory WHERE id = ?", arguments: [value])
            case let .key(run, step, question, sample):
                id = try Int64.fetchOne(db, sql: """
                    SELECT t.id FROM trajectory t JOIN run r ON r.id = t.run_id
                    WHERE r.name = ? AND t.step = ? AND t.question_id = ? AND t.sample_index = ?
                    """, arguments: [run, step, question, sample])
            }
            guard let id else {
                throw SearchLabError("no trajectory \(ref) in \(path); list them with `searchlab count --db \(path) --by step`")
            }
            return id
        }
    }

    /// The trajectory a reference names.
    public func trajectory(_ ref: TrajectoryRef) throws -> StoredTrajectory {
        try trajectories(ids: [resolve(ref)])[0]
    }

    /// Trajectories by store id, in the order given.
    public func trajectories(ids: [Int64]) throws -> [StoredTrajectory] {
        try read { db in
            try ids.map { id in
                guard let record = try TrajectoryRecord.fetchOne(db, key: id),
                      let runName = try String.fetchOne(db, sql: "SELECT name FROM run WHERE id = ?", arguments: [record.runID])
                else { throw SearchLabError("no trajectory #\(id) in \(path)") }
                return StoredTrajectory(record: record, runName: runName, trajectory: try TrajectoryRows.trajectory(db, record: record))
            }
        }
    }

    /// All runs, oldest first.
    public func runs() throws -> [RunRecord] {
        try read { db in try RunRecord.order(RunRecord.Columns.createdOrder).fetchAll(db) }
    }

    /// The run called `name`. - Throws: ``SearchLabError`` listing the runs there are.
    public func run(named name: String) throws -> RunRecord {
        try read { db in
            try requireRuns(db)
            if let run = try RunRecord.filter(RunRecord.Columns.name == name).fetchOne(db) { return run }
            let names = try String.fetchAll(db, sql: "SELECT name FROM run ORDER BY created_order")
            throw SearchLabError("no run \"\(name)\" in \(path); runs: \(names.joined(separator: ", "))")
        }
    }

    /// Throws the empty-database error when no run has been stored yet.
    public func requireRuns(_ db: Database) throws {
        if try RunRecord.fetchCount(db) == 0 {
            throw SearchLabError("\(path) has no runs yet; add one with `searchlab import FILE --db \(path) --run NAME`")
        }
    }
}
