// The run database: open (migrate, refuse newer schemas), write in transactions, read back.
import Foundation
import GRDB
import SearchLabCore

/// A SearchLab run database (SQLite through GRDB, WAL mode).
///
/// Writers use ``write(_:)``: the closure runs in one transaction, so a crash loses at most
/// the batch in flight and never leaves half a trajectory. Trainers typically call
/// ``writeStep(runID:step:metrics:trajectories:)`` once per training step.
public final class RunStore: Sendable {
    /// The database file as the user named it (used in error messages).
    public let path: String
    let queue: DatabaseQueue
    /// Checkpoints the WAL after ``bulkWrite(_:)``, off the writing thread.
    let checkpointer: WALCheckpointer

    /// Opens (and migrates) the database at `path`.
    /// - Parameter create: create the file when missing; read-only commands pass `false`
    ///   so a mistyped path is an error rather than a new empty database.
    /// - Throws: ``LocatedError`` naming `path` when the file is missing, not a SearchLab
    ///   database, or written by a newer SearchLab.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { throw LocatedError(file: path, line: nil, message: "is a directory, not a database file") }
        if !exists && !create {
            throw LocatedError(file: path, line: nil, message: "no such database; create one with `searchlab import FILE --db \(path) --run NAME`")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        checkpointer = WALCheckpointer(path: path, configuration: configuration)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try Self.checkCompatible(db, path: path)
                // 16 KiB pages for a new file (SQLite's default is 4 KiB): fewer page splits and
                // shallower trees when a batch of thousands of trajectories is inserted, ~5 %
                // faster imports. Only possible before the first table and the switch to WAL.
                if !exists { try db.execute(sql: "PRAGMA page_size = 16384") }
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // 64 MiB of page cache (SQLite's default is 2 MiB): a batch of 10,000
                // trajectories dirties more pages than that across the table and its indexes,
                // and spilling them mid-transaction writes and rereads the same pages.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // Statement journals and sorter spills in memory rather than in /var/tmp files
                // (the trainer's one-row writes with foreign keys on still need journals).
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
            try StoreSchema.makeMigrator().migrate(queue)
        } catch let error as LocatedError {
            throw error
        } catch let error as DatabaseError {
            throw LocatedError(file: path, line: nil, message: Self.describe(error))
        }
    }

    /// Refuses databases from a newer schema and files that are not SearchLab databases.
    static func checkCompatible(_ db: Database, path: String) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let superseded = try StoreSchema.makeMigrator().hasBeenSuperseded(db)
        if version > StoreSchema.version || superseded {
            throw LocatedError(file: path, line: nil, message:
                "the database has schema version \(version), newer than this searchlab reads (\(StoreSchema.version)); upgrade searchlab")
        }
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if !tables.isEmpty && !tables.contains("grdb_migrations") {
            throw LocatedError(file: path, line: nil, message: "not a SearchLab run database (it has other tables); pass another --db")
        }
    }

    static func describe(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB: return "not an SQLite database; pass a SearchLab run database with --db"
        case .SQLITE_CANTOPEN: return "cannot open the database file (check the directory exists and is writable)"
        case .SQLITE_READONLY: return "the database is read-only; copy it somewhere writable"
        case .SQLITE_BUSY: return "the database is locked by another process; try again when it finishes"
        default: return "database error: \(error.message ?? "\(error.resultCode)")"
        }
    }

    // MARK: - Transactions

    /// Runs `body` in one write transaction: all of it is stored, or none.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        try mapping {
            try queue.write { db in try body(StoreWriter(db: db)) }
        }
    }

    /// Runs `body` in one write transaction, as ``write(_:)`` does, set up for storing many
    /// rows (imports):
    /// - foreign keys are not checked: `StoreWriter` inserts parents first and its rows refer
    ///   only to the run, steps and trajectories of the same transaction, so each check would
    ///   only repeat a B-tree seek (about a fifth of the insert time);
    /// - the commit does not checkpoint the WAL; a second connection does, on a background
    ///   thread, while the caller prepares or writes its next batch. ``finishBulkWrites()``
    ///   waits for it.
    /// Durability is unchanged: a committed batch is in the WAL, which SQLite replays on open.
    public func bulkWrite<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        let result = try mapping {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = 0")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 1000") }
                var result: T?
                try db.inTransaction {
                    result = try body(StoreWriter(db: db))
                    return .commit
                }
                return result!
            }
        }
        checkpointer.request()
        return result
    }

    /// Waits for the checkpoints ``bulkWrite(_:)`` started and checkpoints what is left, so
    /// the database file holds every batch (timed imports call it inside their timing).
    public func finishBulkWrites() throws {
        try mapping { try checkpointer.finish() }
    }

    /// Runs `body` with read access (a consistent snapshot).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapping { try queue.read(body) }
    }

    func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw LocatedError(file: path, line: nil, message: Self.describe(error))
        }
    }

    // MARK: - Convenience for trainers

    /// Creates a run; its name must be new.
    public func createRun(_ spec: RunSpec) throws -> RunRecord {
        try write { try $0.createRun(spec) }
    }

    /// Stores one training step in one transaction: its metrics and its trajectories.
    /// - Returns: the store ids of the trajectories, in order.
    @discardableResult
    public func writeStep(runID: Int64, step: Int, metrics: [String: Double], trajectories: [Trajectory]) throws -> [Int64] {
        let prepared = try PreparedTrajectory.prepareAll(trajectories)
        return try write { writer in
            try writer.ensureStep(runID: runID, step: step)
            try writer.addMetrics(runID: runID, step: step, metrics)
            return try writer.insert(contentsOf: prepared, step: step, runID: runID)
        }
    }

    /// Deletes every step of a run from `step` on, with its metrics, trajectories, retrieval
    /// calls and the checkpoint records after it: what a resumed run discards before redoing
    /// those steps. The largest trajectory id is remembered first, so the deleted trajectories'
    /// public ids are never given to others.
    public func discardSteps(runID: Int64, from step: Int) throws {
        try write { writer in
            try writer.db.execute(sql: """
                INSERT INTO id_high_water (table_name, high)
                  SELECT 'trajectory', MAX(id) FROM trajectory WHERE true HAVING MAX(id) IS NOT NULL
                  ON CONFLICT (table_name) DO UPDATE SET high = MAX(high, excluded.high)
                """)
            try writer.db.execute(sql: "DELETE FROM retrieval_log WHERE run_id = ? AND step >= ?", arguments: [runID, step])
            try writer.db.execute(sql: "DELETE FROM checkpoint WHERE run_id = ? AND step > ?", arguments: [runID, step])
            try writer.db.execute(sql: "DELETE FROM step WHERE run_id = ? AND step >= ?", arguments: [runID, step])
        }
    }

    /// Records a checkpoint saved at `step` (one saved outside a step's commit, e.g. at a
    /// time limit). Its files must already be on disk and synced.
    public func recordCheckpoint(runID: Int64, step: Int, path: String, digest: String) throws {
        try write { try $0.recordCheckpoint(runID: runID, step: step, path: path, digest: digest) }
    }

    /// The checkpoints recorded for a run, by step.
    public func checkpoints(runID: Int64) throws -> [CheckpointRecord] {
        try read { db in
            try CheckpointRecord.filter(CheckpointRecord.Columns.runID == runID).order(CheckpointRecord.Columns.step).fetchAll(db)
        }
    }

    /// Stores one training step in one transaction (see ``StepCommit``).
    @discardableResult
    public func commit(_ step: StepCommit, runID: Int64) throws -> [Int64] {
        try write { try $0.commit(step, runID: runID) }
    }
}

extension RunStore {
    /// Replaces a run's stored config (a resume that changed only keys safe to change).
    public func updateConfig(runID: Int64, configJSON: String) throws {
        try write { try $0.db.execute(sql: "UPDATE run SET config_json = ? WHERE id = ?", arguments: [configJSON, runID]) }
    }
}

extension RunStore {
    /// Writes a compact, self-contained copy of the database to `path` (one file, no WAL
    /// beside it), for bundles that travel. `path` must not exist.
    public func vacuumCopy(to path: String) throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
    }
}
