// The committed v1 database (fixtures/db/v1.sqlite) must keep opening, migrate to the same
// schema a fresh database gets, and give its trajectories back byte for byte.
import Foundation
import GRDB
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct MigrationTests {
    /// A scratch copy of the v1 fixture (tests never touch the committed file).
    func copyOfV1() throws -> (String, URL) {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("v1.sqlite").path
        try FileManager.default.copyItem(atPath: Fixtures.url("db/v1.sqlite").path, toPath: path)
        return (path, dir)
    }

    func schema(_ store: RunStore) throws -> [String] {
        try store.read { db in
            try String.fetchAll(db, sql: "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        }
    }

    @Test func migrationIdentifiersAreFrozen() {
        #expect(StoreSchema.migrationIDs == ["v1-runs-trajectories", "v2-count-by-step-index", "v3-lean-rows", "v4-phases-nonfinite-ids",
                                             "v5-token-views"])
    }

    @Test func v1FixtureMigratesToTheFreshSchema() throws {
        let (path, dir) = try copyOfV1()
        defer { try? FileManager.default.removeItem(at: dir) }
        let migrated = try RunStore(path: path)
        let fresh = try RunStore(path: dir.appendingPathComponent("fresh.sqlite").path)
        #expect(try schema(migrated) == schema(fresh))
        let applied = try migrated.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        #expect(applied == StoreSchema.migrationIDs)
    }

    @Test func v1FixtureTrajectoriesDecodeToTheirDigests() throws {
        let (path, dir) = try copyOfV1()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try RunStore(path: path)
        #expect(try store.runs().map(\.name) == ["train-fixture", "import-fixture"])
        let ids = try store.read { try Int64.fetchAll($0, sql: "SELECT id FROM trajectory ORDER BY id") }
        #expect(ids.count == 3)
        for stored in try store.trajectories(ids: ids) {
            #expect(try stored.trajectory.contentDigest() == stored.record.contentDigest)
        }
        let first = try store.trajectory(.storeID(ids[0]))
        #expect(first.trajectory == (try SampleTrajectories.searchThenAnswer(step: 1)))
        #expect(try store.read { try CheckpointRecord.fetchCount($0) } == 1)
        #expect(try store.read { try RetrievalLogRecord.fetchCount($0) } == 1)
    }

    @Test func aMigratedDatabaseKeepsItsOldRowsAndStoresNewOnesLean() throws {
        let (path, dir) = try copyOfV1()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try RunStore(path: path)
        // v1 rows keep their texts and canonical JSON.
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(canonical_json) FROM trajectory_text") } == 3)
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(raw_generation) FROM turn") } ==
                (try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM turn") }))
        let run = try store.run(named: "train-fixture")
        let added = try SampleTrajectories.searchThenAnswer(answer: "Mendel", sample: 2, step: 1)
        let id = try store.writeStep(runID: run.id!, step: 1, metrics: [:], trajectories: [added])[0]
        #expect(try store.trajectories(ids: [id])[0].trajectory == added)
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(canonical_json) FROM trajectory_text") } == 3)
    }

    @Test func newerSchemaIsRefusedWithAnUpgradeHint() throws {
        let (path, dir) = try copyOfV1()
        defer { try? FileManager.default.removeItem(at: dir) }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA user_version = 6")
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v6-from-the-future')")
        }
        try queue.close()
        let error = #expect(throws: LocatedError.self) { try RunStore(path: path) }
        #expect(error?.message == "the database has schema version 6, newer than this searchlab reads (5); upgrade searchlab")
    }

    /// Rebuilds fixtures/db/v1.sqlite with `RECORD_DB_FIXTURE=1 swift test --filter MigrationTests`.
    /// Only for the v1 schema: once v2 exists, v1 stays as committed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RECORD_DB_FIXTURE"] == "1"))
    func recordV1Fixture() throws {
        let path = Fixtures.url("db/v1.sqlite").path
        try? FileManager.default.createDirectory(at: Fixtures.url("db"), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        try writeFixture(path)
        // Compact it and fold the WAL into the file before it is committed.
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: "VACUUM") }
        try queue.close()
    }

    func writeFixture(_ path: String) throws {
        let store = try RunStore(path: path)
        let run = try store.createRun(RunSpec(name: "train-fixture", source: "trainer", configJSON: #"{"algorithm":"grpo"}"#,
                                              seed: 1, codeVersion: "0.1.0", worldDigest: "world-v1"))
        try store.writeStep(runID: run.id!, step: 1, metrics: ["env/finish_ratio": 1],
                            trajectories: [try SampleTrajectories.searchThenAnswer(step: 1),
                                           try SampleTrajectories.searchThenAnswer(answer: "Wallace", sample: 1, step: 1)])
        try store.recordCheckpoint(runID: run.id!, step: 1, path: "ckpt/step-1.safetensors", digest: "abc123")
        try store.write { writer in
            let hit = SearchHit(document: CorpusDocument(id: "d1", contents: "\"On the Origin of Species\"\nA book."), score: 12.5)
            try writer.logRetrieval(runID: run.id!, step: 1, engineFingerprint: "bm25:test", query: "origin of species author", topK: 2, hits: [hit])
            let imported = try writer.createRun(RunSpec(name: "import-fixture", source: "import:search-r1", codeVersion: "0.1.0"))
            let text = try Fixtures.text("search-r1/example-trajectory.txt")
            var trajectory = SequenceParser.parse(SequenceParser.splitSequences(text)[0])
            trajectory.question.id = "paul-walker"
            trajectory.question.groupID = "paul-walker"
            try writer.insert(trajectory, runID: imported.id!, step: 0)
        }
    }
}
