// The import hot path: multi-row inserts in chunks, `bulkWrite` (foreign keys unchecked, WAL
// checkpointed in the background) and texts bound in place. Each must store exactly what
// one-by-one inserts in an ordinary transaction store.
import Foundation
import GRDB
import SearchLabCore
@testable import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct BulkWriteTests {
    func freshStore(_ name: String = "runs.sqlite") throws -> (RunStore, URL) {
        let dir = try Fixtures.temporaryDirectory()
        return (try RunStore(path: dir.appendingPathComponent(name).path), dir)
    }

    /// 70 trajectories over three steps (so chunks of 32 end mid-step and leave a tail of 6),
    /// every fifth without a search.
    func batch() throws -> (trajectories: [Trajectory], steps: [Int]) {
        let trajectories = try (0..<70).map { i in
            var t = try SampleTrajectories.searchThenAnswer(question: "question \(i)", sample: i % 4, step: i / 25)
            t.question.id = "q\(i / 4)"
            if i % 5 == 0 { t.turns.removeFirst() }
            return t
        }
        return (trajectories, (0..<70).map { $0 / 25 })
    }

    /// Every row of every table, in key order, as text.
    func contents(_ store: RunStore) throws -> [String] {
        try store.read { db in
            try ["step", "trajectory", "trajectory_text", "turn", "retrieved_document"].flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2").map { "\(table): \($0)" }
            }
        }
    }

    @Test func aBatchStoresWhatOneByOneInsertsStore() throws {
        let (trajectories, steps) = try batch()
        let (one, dirOne) = try freshStore(), (bulk, dirBulk) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dirOne); try? FileManager.default.removeItem(at: dirBulk) }
        let runOne = try one.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test")).id!
        let runBulk = try bulk.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test")).id!
        let idsOne = try one.write { writer in
            try zip(trajectories, steps).map { try writer.insert($0, runID: runOne, step: $1) }
        }
        let prepared = try PreparedTrajectory.prepareAll(trajectories)
        let idsBulk = try bulk.bulkWrite { try $0.insert(contentsOf: prepared, steps: steps, runID: runBulk) }
        try bulk.finishBulkWrites()
        #expect(idsBulk == Array(1...70))
        #expect(idsOne == idsBulk)
        #expect(try contents(one) == contents(bulk))
        let back = try bulk.trajectories(ids: idsBulk).map(\.trajectory)
        #expect(back == trajectories)
    }

    @Test func aRepeatInABatchIsNamedAndNothingIsStored() throws {
        var (trajectories, steps) = try batch()
        trajectories[40] = trajectories[38]
        steps[40] = steps[38]
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test")).id!
        let prepared = try PreparedTrajectory.prepareAll(trajectories)
        let error = #expect(throws: SearchLabError.self) {
            try store.bulkWrite { try $0.insert(contentsOf: prepared, steps: steps, runID: run) }
        }
        #expect(error?.message == "trajectory for question \"q9\" sample 2 at step 1 is already stored in this run")
        #expect(try store.read { try TrajectoryRecord.fetchCount($0) } == 0)
        #expect(try store.read { try TurnRecord.fetchCount($0) } == 0)
    }

    /// The failing chunk's own rows are in the table until the rollback: the error must name
    /// the trajectory stored earlier, not the chunk's first row.
    @Test func aTrajectoryStoredEarlierIsNamedNotTheChunksFirst() throws {
        let (trajectories, steps) = try batch()
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test")).id!
        try store.write { _ = try $0.insert(trajectories[50], runID: run, step: steps[50]) }
        let prepared = try PreparedTrajectory.prepareAll(trajectories)
        let error = #expect(throws: SearchLabError.self) {
            try store.bulkWrite { try $0.insert(contentsOf: prepared, steps: steps, runID: run) }
        }
        #expect(error?.message == "trajectory for question \"q12\" sample 2 at step 2 is already stored in this run")
        #expect(try store.read { try TrajectoryRecord.fetchCount($0) } == 1)
    }

    @Test func bulkWriteRestoresForeignKeysAndLeavesTheWALCheckpointed() throws {
        let (trajectories, steps) = try batch()
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test")).id!
        let prepared = try PreparedTrajectory.prepareAll(trajectories)
        try store.bulkWrite { _ = try $0.insert(contentsOf: Array(prepared[..<35]), steps: Array(steps[..<35]), runID: run) }
        try store.bulkWrite { _ = try $0.insert(contentsOf: Array(prepared[35...]), steps: Array(steps[35...]), runID: run) }
        try store.finishBulkWrites()
        let (foreignKeys, autocheckpoint, violations) = try store.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"),
             try Row.fetchAll(db, sql: "PRAGMA foreign_key_check"))
        }
        #expect(foreignKeys == 1 && autocheckpoint == 1000 && violations.isEmpty)
        // Every committed frame is already in the database file: a checkpoint finds nothing to copy.
        let (busy, log, copied) = try DatabaseQueue(path: store.path).writeWithoutTransaction { db -> (Int, Int, Int) in
            let row = try #require(try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)"))
            return (row[0], row[1], row[2])
        }
        #expect(busy == 0 && log == copied)
        #expect(try store.read { try TrajectoryRecord.fetchCount($0) } == 70)
    }

    @Test func longAndEmptyTextsAreStoredExactly() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test")).id!
        var t = try SampleTrajectories.searchThenAnswer()
        // Longer than one 64 KiB block of bound text, with quotes and non-ASCII.
        let long = String(repeating: "Darwin said \"é\" — ", count: 5_000)
        let documents = [SampleTrajectories.document("d1", "", long, rank: 1, score: 1)]
        t.turns[0].observation = SearchR1Format.informationObservation(documents)
        t.trailing = ""
        let id = try store.write { try $0.insert(t, runID: run, step: 0) }
        #expect(try store.trajectory(.storeID(id)).trajectory == t)
        let types = try store.read { try Row.fetchOne($0, sql: "SELECT typeof(trailing), length(trailing) FROM trajectory_text") }
        #expect(types?[0] == "text" && types?[1] == 0)
    }
}
