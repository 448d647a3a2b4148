import Foundation
import GRDB
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct RunStoreTests {
    func freshStore() throws -> (RunStore, URL) {
        let dir = try Fixtures.temporaryDirectory()
        return (try RunStore(path: dir.appendingPathComponent("runs.sqlite").path), dir)
    }

    @Test func trajectoryRoundTripsExactlyWithTokensAndProvenance() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "train-1", source: "trainer", configJSON: #"{"lr":0.001}"#,
                                              seed: 7, codeVersion: "test", worldDigest: "w0"))
        let original = try SampleTrajectories.searchThenAnswer(step: 2)
        let ids = try store.writeStep(runID: run.id!, step: 2, metrics: ["env/finish_ratio": 1, "loss": 0.5],
                                      trajectories: [original])
        let stored = try store.trajectory(.storeID(ids[0]))
        #expect(stored.trajectory == original)
        #expect(stored.publicID == "train-1:2:q-darwin:0")
        #expect(stored.record.contentDigest == (try original.contentDigest()))
        #expect(stored.record.searchCount == 1 && stored.record.turnCount == 2 && stored.record.hops == 2)
        #expect(stored.record.answerRetrieved && stored.record.exactMatch)
        let turns = try store.read { try TurnRecord.order(TurnRecord.Columns.turnIndex).fetchAll($0) }
        #expect(turns.map(\.generatedTokens) == [21, 14])
        #expect(turns[0].rawGeneration?.hasSuffix("trailing") == true)
        let documents = try store.read { try RetrievedDocumentRecord.fetchAll($0) }
        #expect(documents.map(\.docID) == ["d1", "d2"])
        #expect(documents.map(\.score) == [12.5, 9.25])
        let metrics = try store.read { try MetricRecord.order(MetricRecord.Columns.name).fetchAll($0) }
        #expect(metrics.map(\.name) == ["env/finish_ratio", "loss"])
        let provenance = try #require(stored.record.provenanceJSON)
        #expect(provenance.contains("\"seed\":18446744073709551600"))
    }

    @Test func publicIDResolvesAndUnknownIDsFailWithOneLine() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test"))
        try store.writeStep(runID: run.id!, step: 0, metrics: [:], trajectories: [try SampleTrajectories.searchThenAnswer()])
        #expect(try store.resolve(TrajectoryRef(parsing: "r:0:q-darwin:0")) == 1)
        #expect(try store.resolve(TrajectoryRef(parsing: "#1")) == 1)
        let error = #expect(throws: SearchLabError.self) { try store.resolve(TrajectoryRef(parsing: "r:0:q-darwin:5")) }
        #expect(error?.message.contains("no trajectory r:0:q-darwin:5") == true)
        #expect(error?.message.contains("\n") == false)
        #expect(throws: SearchLabError.self) { try TrajectoryRef(parsing: "nonsense") }
        #expect(throws: SearchLabError.self) { try store.run(named: "missing") }
    }

    @Test func duplicateTrajectoryIsRefusedAndTheStepStoresNothing() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try store.createRun(RunSpec(name: "r", source: "trainer", codeVersion: "test"))
        let t = try SampleTrajectories.searchThenAnswer()
        #expect(throws: SearchLabError.self) {
            try store.writeStep(runID: run.id!, step: 0, metrics: ["x": 1], trajectories: [t, t])
        }
        #expect(try store.read { try TrajectoryRecord.fetchCount($0) } == 0)
        #expect(try store.read { try MetricRecord.fetchCount($0) } == 0)
        #expect(try store.read { try TurnRecord.fetchCount($0) } == 0)
    }

    @Test func databaseIsInWALMode() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try store.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == StoreSchema.version)
    }

    @Test func missingDirectoryAndNonDatabaseFilesAreOneLineErrors() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("none.sqlite").path
        let error = #expect(throws: LocatedError.self) { try RunStore(path: missing, create: false) }
        #expect(error?.description.contains("no such database") == true)
        let text = dir.appendingPathComponent("notes.sqlite")
        try String(repeating: "not a database ", count: 100).write(to: text, atomically: true, encoding: .utf8)
        let notDB = #expect(throws: LocatedError.self) { try RunStore(path: text.path) }
        #expect(notDB?.message.contains("not an SQLite database") == true)
        #expect(throws: LocatedError.self) { try RunStore(path: dir.path) }
    }

    @Test func runNamesThatWouldBreakPublicIDsAreRefused() {
        #expect(throws: SearchLabError.self) { try RunSpec.validate(name: "a:b") }
        #expect(throws: SearchLabError.self) { try RunSpec.validate(name: "") }
        #expect(throws: Never.self) { try RunSpec.validate(name: "grpo-seed_1.2") }
    }
}
