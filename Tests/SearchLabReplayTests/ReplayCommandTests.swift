// `searchlab replay` end to end: exit codes, what-if, re-issued queries, bad input.
import Foundation
import GRDB
import SearchLabCore
import SearchLabReplay
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite(.serialized)
struct ReplayCommandTests {
    func fixture() throws -> ReplayFixture { try ReplayFixture.shared.get() }

    @Test func replayingARecordingExitsZeroAndSaysIdentical() throws {
        let f = try fixture()
        let text = try runSearchlab(["replay", "tr:1:\(try firstQuestion(run: "tr", step: 1)):0", "--db", f.db])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("identical: the replay renders the recorded trajectory byte for byte"))
        let json = try runSearchlab(["replay", "1", "--db", f.db, "--verify", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try decode(json.stdout)
        #expect(report.identical)
        #expect(report.mode == .verify)
    }

    @Test func aDivergenceExitsTwoAndNamesTurnAndToken() throws {
        let f = try fixture()
        let db = try f.copy(named: "cli-tampered.sqlite")
        try Self.tamperFirstGeneratedCharacter(db: db, id: 1)
        let result = try runSearchlab(["replay", "1", "--db", db])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.contains("first divergence: turn 0, generation, token 0"))
        #expect(result.stdout.contains("why: different logits: same context, another sampled token"))
    }

    /// `--run R --failed`: every failing trajectory verified (and replayed with the oracle), one
    /// row each; a tampered recording is a DIVERGED row and exit status 2.
    @Test func failedTriagesEveryMissOfARun() throws {
        let f = try fixture()
        let failing = try Self.sql(f.db, "SELECT COUNT(*) FROM trajectory t JOIN run r ON r.id = t.run_id WHERE r.name = 'ev' AND t.exact_match = 0")
        let result = try runSearchlab(["replay", "--db", f.db, "--run", "ev", "--failed", "--limit", "4", "--engine", "oracle",
                                       "--world", f.world, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let triage = try JSONDecoder().decode(FailureTriage.self, from: Data(result.stdout.utf8))
        #expect(triage.failing == failing && triage.trajectories == 40)
        #expect(triage.rows.count == min(4, failing))
        #expect(triage.rows.allSatisfy { $0.reproduced == true && $0.verdict != nil && $0.whatIfExactMatch != nil })
        #expect(triage.rows.map(\.storeID) == triage.rows.map(\.storeID).sorted())

        let db = try f.copy(named: "cli-triage-tampered.sqlite")
        try Self.tamperFirstGeneratedCharacter(db: db, id: triage.rows[0].storeID)
        let text = try runSearchlab(["replay", "--db", db, "--run", "ev", "--failed", "--limit", "2"])
        #expect(text.status == 2, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines[2].contains("DIVERGED") && lines[3].contains("  yes  "), "\(text.stdout)")
        #expect(text.stdout.contains("reproduced 1 of 2; DIVERGED 1"))
        let usage = try runSearchlab(["replay", "--db", f.db, "--failed"])
        #expect(usage.status != 0 && usage.stderr.contains("--failed triages a whole run: pass --run RUN and no TRAJECTORY"))
    }

    /// A stored config this build cannot read (a key from a newer SearchLab) is an error naming
    /// the run and the version that wrote it, never a replay under default settings.
    @Test func aStoredConfigThatCannotBeReadIsAnError() throws {
        let f = try fixture()
        let db = try f.copy(named: "cli-newer-config.sqlite")
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: #"UPDATE run SET config_json = json_set(config_json, '$."trainer.future_key"', 1) WHERE name = 'tr'"#)
        }
        let id = try Self.sql(db, "SELECT MIN(t.id) FROM trajectory t JOIN run r ON r.id = t.run_id WHERE r.name = 'tr'")
        let result = try runSearchlab(["replay", "\(id)", "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: the stored config of run tr cannot be read ("), "\(result.stderr)")
        #expect(result.stderr.contains("trainer.future_key") && result.stderr.contains("replay it with that version"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Any step replays: a run of 4 steps saving every second one has no checkpoint for the
    /// weights of steps 1 and 3; they are rebuilt (from the base and from step-2) by re-running
    /// the steps in between, checked against the recorded digest, cached, and a trajectory from
    /// the middle of each step's batch verifies byte for byte.
    @Test func everyStepReplaysWithOrWithoutACheckpoint() throws {
        let f = try fixture()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("sparse.sqlite").path
        let train = try runSearchlab(["train", "--config", Fixtures.url("configs/grpo.yaml").path, "--db", db, "--name", "sparse",
                                      "--set", "world.dir=\(f.world)", "--set", "policy.checkpoint=\(f.base)",
                                      "--set", "data.train_batch_size=3", "--set", "actor_rollout_ref.rollout.n_agent=2",
                                      "--set", "trainer.total_training_steps=4", "--set", "trainer.save_freq=2", "--set", "trainer.test_freq=-1",
                                      "--set", "actor_rollout_ref.actor.ppo_mini_batch_size=6", "--set", "actor_rollout_ref.actor.ppo_micro_batch_size=3",
                                      "--set", "actor_rollout_ref.actor.optim.lr=0.003",
                                      "--set", "data.max_start_length=64", "--set", "data.max_prompt_length=64",
                                      "--set", "data.max_response_length=24", "--set", "max_turns=2", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(try Self.sql(db, "SELECT COUNT(*) FROM checkpoint") == 2)   // step-2 and step-4
        let rebuilt = URL(fileURLWithPath: db + ".checkpoints/sparse/rebuilt")
        for (step, from) in [(0, nil), (1, 0), (2, nil), (3, 2)] as [(Int, Int?)] {
            // Row 4 of 0…5: the middle of the second worker's shard (rows 3–5) of the first turn.
            let id = try Self.sql(db, "SELECT id FROM trajectory WHERE step = \(step) ORDER BY id LIMIT 1 OFFSET 4")
            let result = try runSearchlab(["replay", "\(id)", "--db", db, "--verify", "--format", "json"])
            #expect(result.status == 0, "step \(step): \(result.stdout) \(result.stderr)")
            let report = try decode(result.stdout)
            #expect(report.identical, "step \(step)")
            #expect(report.weightsRebuiltFrom == from, "step \(step)")
            // Generated again (not teacher-forced), inside the batch of 6 rows as training split
            // it over 2 workers: its first turn in the second worker's shard, rows 3–5.
            let generated = try runSearchlab(["replay", "\(id)", "--db", db, "--format", "json"])
            let regenerated = try decode(generated.stdout)
            #expect(generated.status == 0 && regenerated.identical, "step \(step): \(generated.stdout) \(generated.stderr)")
            #expect(regenerated.batch?.rows == 6 && regenerated.batch?.row == 4 && regenerated.batch?.workers == 2, "step \(step)")
            #expect(regenerated.batch?.shards.first == .init(turn: 0, first: 3, count: 3, active: 6), "step \(step)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: rebuilt.path).sorted() == ["step-1", "step-3"])
        // The cache answers a second replay; the text says where the weights came from.
        let again = try runSearchlab(["replay", "\(try Self.sql(db, "SELECT MAX(id) FROM trajectory WHERE step = 3"))", "--db", db])
        #expect(again.status == 0)
        #expect(again.stdout.contains("weights: rebuilt from checkpoint step-2 by re-running the steps after it"), "\(again.stdout)")
        // Moved checkpoints: one error line saying what to pass.
        try FileManager.default.removeItem(at: rebuilt)
        try FileManager.default.moveItem(atPath: db + ".checkpoints/sparse/step-2", toPath: dir.appendingPathComponent("moved").path)
        let moved = try runSearchlab(["replay", "\(try Self.sql(db, "SELECT MAX(id) FROM trajectory WHERE step = 3"))", "--db", db])
        #expect(moved.status == 1)
        #expect(moved.stderr.hasPrefix("error: the weights of step 3 of run sparse are rebuilt from checkpoint step-2, which the database records at "),
                "\(moved.stderr)")
        #expect(moved.stderr.hasSuffix("but it is not there; put the run's checkpoints back, or pass the checkpoint with --checkpoint DIR\n"))
    }

    /// Changes the first generated character of a stored trajectory's first turn (`~` is in no
    /// word), so its replay diverges at turn 0, token 0.
    static func tamperFirstGeneratedCharacter(db: String, id: Int64) throws {
        let store = try RunStore(path: db, create: false)
        var trajectory = try store.trajectory(.storeID(id)).trajectory
        var raw = Array(trajectory.turns[0].rawGeneration.unicodeScalars)
        raw[0] = raw[0] == "~" ? "^" : "~"
        trajectory.turns[0].rawGeneration = String(String.UnicodeScalarView(raw))
        trajectory.turns[0].text = SearchR1Format.truncateTurn(trajectory.turns[0].rawGeneration)
        try store.write { writer in
            try writer.db.execute(sql: "UPDATE trajectory_text SET canonical_json = ? WHERE trajectory_id = ?",
                                  arguments: [CanonicalJSON.string(trajectory), id])
        }
    }

    static func sql(_ db: String, _ query: String) throws -> Int {
        try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: query) ?? -1 }
    }

    @Test func whatIfWithAnotherEngineShowsTheChangesAndExitsZero() throws {
        let f = try fixture()
        let result = try runSearchlab(["replay", "1", "--db", f.db, "--engine", "empty", "--world", f.world, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try decode(result.stdout)
        #expect(report.mode == .whatIf)
        #expect(report.engine.contains("\"empty\""))
        let changes = try #require(report.changes)
        #expect(changes.a.storeID == 1)
        // The empty engine shows no documents, so no search turn of the what-if has any.
        #expect(changes.turns.allSatisfy { $0.documents?.onlyB.isEmpty ?? true })
        let text = try runSearchlab(["replay", "1", "--db", f.db, "--topk", "1", "--engine", "bm25", "--world", f.world])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("what-if #1 "))
        #expect(text.stdout.contains("changes (A = recorded, B = what-if):"))
    }

    @Test func importedRolloutsReissueTheirQueries() throws {
        let f = try fixture()
        let db = f.directory.appendingPathComponent("imported.sqlite").path
        try? FileManager.default.removeItem(atPath: db)
        try ReplayFixture.run(["import", Fixtures.url("search-r1/example-trajectory.txt").path, "--format", "search-r1-text",
                               "--db", db, "--run", "example", "--data", Fixtures.url("search-r1/flashrag-nq-test-sample.jsonl").path])
        let result = try runSearchlab(["replay", "1", "--db", db, "--engine", "random",
                                       "--corpus", Fixtures.url("search-r1/example-corpus.jsonl").path, "--topk", "2", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try decode(result.stdout)
        #expect(report.mode == .requery)
        let turns = try #require(report.requeried)
        let store = try RunStore(path: db, create: false)
        let searches = try store.trajectory(.storeID(1)).trajectory.turns.filter { $0.action.kind == .search }
        #expect(turns.count == searches.count)
        #expect(!turns.isEmpty)
        for (turn, search) in zip(turns, searches) {
            #expect(turn.turn == search.index)
            #expect(turn.query == search.action.content)
            #expect(turn.newTitles.count == 2)
            #expect(turn.recordedTitles == search.observation?.documents.map(\.title))
        }
        let plain = try runSearchlab(["replay", "1", "--db", db])
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("was imported, so there is no policy to re-run; pass --engine ENGINE"))
    }

    @Test(arguments: [
        (["replay", "999", "--db", "<DB>"], "error: no trajectory #999 in <DB>"),
        (["replay", "nope:0:q:0", "--db", "<DB>"], "error: no trajectory nope:0:q:0 in <DB>; list them with"),
        (["replay", "1", "--db", "<DB>", "--checkpoint", "<WORLD>"], "error: <WORLD>/config.json"),
        (["replay", "1", "--db", "<DB>", "--verify", "--engine", "empty", "--world", "<WORLD>"], "error: --verify checks the recording"),
        (["replay", "1", "--db", "<DB>", "--topk", "9"], "error: the recording holds at most"),
        (["replay", "1", "--db", "<MISSING>"], "error: <MISSING>: no such database"),
    ])
    func badInputIsOneLineAndExitsNonZero(arguments: [String], expected: String) throws {
        let f = try fixture()
        let missing = f.directory.appendingPathComponent("missing.sqlite").path
        func fill(_ s: String) -> String {
            s.replacingOccurrences(of: "<MISSING>", with: missing).replacingOccurrences(of: "<WORLD>", with: f.world)
                .replacingOccurrences(of: "<DB>", with: f.db)
        }
        let result = try runSearchlab(arguments.map(fill))
        #expect(result.status == 1, "\(arguments): \(result.stdout)")
        #expect(result.stderr.hasPrefix(fill(expected)), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func emptyDatabasesAndOtherFilesAreOneLineErrors() throws {
        let f = try fixture()
        let empty = f.directory.appendingPathComponent("empty.sqlite").path
        try? FileManager.default.removeItem(atPath: empty)
        _ = try RunStore(path: empty)
        let none = try runSearchlab(["replay", "1", "--db", empty])
        #expect(none.status == 1)
        #expect(none.stderr == "error: \(empty) has no runs yet; add one with `searchlab import FILE --db \(empty) --run NAME`\n")
        let text = f.directory.appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 300).utf8).write(to: URL(fileURLWithPath: text))
        let other = try runSearchlab(["replay", "1", "--db", text])
        #expect(other.status == 1)
        #expect(other.stderr.hasPrefix("error: \(text): not an SQLite database"))
        #expect(other.stderr.split(separator: "\n").count == 1)
    }

    /// An eval run stores its checkpoint as policy.checkpoint, so replay finds it; once the
    /// checkpoint is moved away, one error line says to pass it.
    @Test func anEvalTrajectoryWhoseCheckpointMovedSaysToPassIt() throws {
        let f = try fixture()
        let moved = f.directory.appendingPathComponent("eval-base")
        try? FileManager.default.removeItem(at: moved)
        try FileManager.default.copyItem(atPath: f.base, toPath: moved.path)
        // A database holding only the eval run.
        let db = f.directory.appendingPathComponent("eval-only.sqlite").path
        try? FileManager.default.removeItem(atPath: db)
        try ReplayFixture.run(["eval", "--checkpoint", moved.path, "--world", f.world, "--limit", "1", "--db", db, "--run", "e"])
        let found = try runSearchlab(["replay", "1", "--db", db])
        #expect(found.status == 0 && found.stdout.contains("identical"), "\(found.stdout) \(found.stderr)")
        try FileManager.default.removeItem(at: moved)
        let result = try runSearchlab(["replay", "1", "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is available in \(db)"))
        #expect(result.stderr.contains("pass it with --checkpoint DIR"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        let given = try runSearchlab(["replay", "1", "--db", db, "--checkpoint", f.base])
        #expect(given.status == 0, "\(given.stderr)")
    }

    func decode(_ json: String) throws -> ReplayReport {
        try JSONDecoder().decode(ReplayReport.self, from: Data(json.utf8))
    }

    func firstQuestion(run: String, step: Int) throws -> String {
        let store = try RunStore(path: try fixture().db, create: false)
        let ids = try fixture().ids(run: run)
        let stored = try store.trajectories(ids: ids).first { $0.record.step == step }
        return try #require(stored).record.questionID
    }
}
