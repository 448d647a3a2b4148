// A training step's record: one commit holding metrics (non-finite ones included), trajectories,
// rollout and validation calls and the checkpoint; ids that a resume never hands out twice;
// statements that refuse to run half bound.
import Foundation
import GRDB
import SearchLabCore
@testable import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct StepCommitTests {
    func freshStore() throws -> (RunStore, Int64, URL) {
        let dir = try Fixtures.temporaryDirectory()
        let store = try RunStore(path: dir.appendingPathComponent("runs.sqlite").path)
        let run = try store.createRun(RunSpec(name: "r", source: "train", codeVersion: "test"))
        return (store, run.id!, dir)
    }

    func step(_ step: Int, trajectories: Int = 3) throws -> StepCommit {
        let prepared = try (0..<trajectories).map { i in
            var t = try SampleTrajectories.searchThenAnswer(question: "question \(i)", sample: 0, step: step)
            t.question.id = "q\(i)"
            return try PreparedTrajectory(t)
        }
        let hit = SearchHit(document: CorpusDocument(id: "7", contents: "\"T\"\nText."), score: 1)
        return StepCommit(step: step, metrics: ["a": 1, "diverged": .nan, "exploded": -.infinity], trajectories: prepared,
                          calls: [LoggedCall(engineFingerprint: "e", query: "q1", topK: 3, hits: [hit], phase: .rollout),
                                  LoggedCall(engineFingerprint: "e", query: "v1", topK: 3, hits: [hit], phase: .validation)],
                          checkpoint: SavedCheckpoint(step: step + 1, path: "/ckpt/step-\(step + 1)", digest: "d\(step)"))
    }

    @Test func aStepIsStoredWholeWithItsCallsAndCheckpoint() throws {
        let (store, runID, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.commit(try step(0), runID: runID)
        let rows = try store.read { db in
            (try Row.fetchAll(db, sql: "SELECT step, phase, query FROM retrieval_log ORDER BY id").map { "\($0[0] as Int) \($0[1] as String) \($0[2] as String)" },
             try String.fetchAll(db, sql: "SELECT name || '=' || value FROM metric_nonfinite ORDER BY name"),
             try Double.fetchAll(db, sql: "SELECT value FROM metric"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trajectory"))
        }
        #expect(rows.0 == ["0 rollout q1", "0 validation v1"])
        #expect(rows.1 == ["diverged=nan", "exploded=-inf"])
        #expect(rows.2 == [1])
        #expect(rows.3 == 3)
        #expect(try store.checkpoints(runID: runID).map(\.step) == [1])
        // Replay answers from the rollouts' calls only.
        #expect(try store.retrievalCalls(runID: runID, step: 0).map(\.query) == ["q1"])
        #expect(StoreWriter.nonFiniteNames(["a": 1, "b": .infinity, "c": .nan]) == ["b", "c"])
    }

    @Test func aFailingStepLeavesNothing() throws {
        let (store, runID, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.commit(try step(0), runID: runID)
        // The same trajectories again at step 0: refused, and the whole second commit with them.
        var again = try step(0)
        again.calls.append(LoggedCall(engineFingerprint: "e", query: "late", topK: 3, hits: [], phase: .rollout))
        #expect(throws: SearchLabError.self) { try store.commit(again, runID: runID) }
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM retrieval_log") } == 2)
        // The guard a trainer runs before its compute names the problem.
        #expect(throws: SearchLabError.self) {
            try store.write { try $0.checkNewRows([("a", 0), ("a", 0)], runID: runID, step: 1) }
        }
        #expect(throws: SearchLabError.self) {
            try store.write { try $0.checkNewRows([("a", 0)], runID: runID, step: 0) }
        }
        try store.write { try $0.checkNewRows([("a", 0), ("a", 1)], runID: runID, step: 1) }
    }

    /// A resume deletes the steps after its checkpoint; their public ids stay retired.
    @Test func idsAreNeverReusedAfterAResume() throws {
        let (store, runID, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try store.commit(try step(0), runID: runID) + store.commit(try step(1), runID: runID)
        try store.discardSteps(runID: runID, from: 1)
        let redone = try store.commit(try step(1), runID: runID)
        #expect(redone.min()! > first.max()!)
        #expect(try store.checkpoints(runID: runID).map(\.step) == [1, 2])
        try store.discardSteps(runID: runID, from: 0)
        #expect(try store.checkpoints(runID: runID).isEmpty)
        let again = try store.commit(try step(0), runID: runID)
        #expect(again.min()! > redone.max()!)
    }

    @Test func aStatementRunsOnlyWithEveryValueBound() throws {
        let (store, _, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.write { writer in
            let insert = try RowInsert(writer.db, sql: "INSERT INTO id_high_water (table_name, high) VALUES (?, ?)")
            insert.bind("t")
            #expect(throws: SearchLabError.self) { try insert.run() }
            insert.bind("t"); insert.bind(Int64(5))
            try insert.run()
        }
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT high FROM id_high_water") } == 5)
    }
}
