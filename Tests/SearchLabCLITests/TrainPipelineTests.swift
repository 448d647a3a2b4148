import Foundation
import SearchLabTestSupport
import Testing

/// The training step as a pipeline that never dies and never lies: batches within epochs,
/// one commit per step, a guarded resume, one trainer per run, checkpoints only where the
/// config says, and limits that fit the model.
@Suite(.serialized)
struct TrainPipelineTests {
    /// A world of `train` questions and a briefly pretrained tiny policy; the train arguments.
    static func prepare(_ dir: URL, train: Int = 40) throws -> [String] {
        let world = dir.appendingPathComponent("world").path, checkpoint = dir.appendingPathComponent("base").path
        let w = try runSearchlab(["world", "--seed", "3", "--entities", "60", "--train", String(train), "--test", "10", "--out", world])
        #expect(w.status == 0, "\(w.stderr)")
        let p = try runSearchlab(["pretrain", "--world", world, "--out", checkpoint, "--preset", "tiny", "--steps", "3", "--batch-rows", "2"])
        #expect(p.status == 0, "\(p.stderr)")
        return [
            "--config", Fixtures.url("configs/grpo.yaml").path, "--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(checkpoint)",
            "--set", "data.train_batch_size=2", "--set", "actor_rollout_ref.rollout.n_agent=2",
            "--set", "trainer.total_training_steps=4", "--set", "trainer.save_freq=-1", "--set", "trainer.test_freq=-1",
            "--set", "trainer.val_before_train=false", "--set", "data.val_batch_size=2",
            "--set", "actor_rollout_ref.actor.ppo_mini_batch_size=4", "--set", "actor_rollout_ref.actor.ppo_micro_batch_size=2",
            "--set", "data.max_start_length=64", "--set", "data.max_prompt_length=64", "--set", "data.max_response_length=12",
            "--set", "max_turns=1",
        ]
    }

    static func sql(_ db: String, _ query: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3, sys\nfor r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(*r)", db, query]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// 5 questions in batches of 2: two whole batches an epoch, one question left out, so
    /// steps 2–5 of a 6-step run cross two epoch boundaries; each step stores its 2 × 2
    /// trajectories once, over three seeds.
    @Test func runsWhoseStepsSpanEpochsComplete() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir, train: 5) + ["--set", "trainer.total_training_steps=6"]
        for seed in 0..<3 {
            let db = dir.appendingPathComponent("s\(seed).sqlite").path
            let r = try runSearchlab(["train"] + args + ["--set", "trainer.seed=\(seed)", "--db", db, "--name", "r"])
            #expect(r.status == 0, "seed \(seed): \(r.stderr)")
            #expect(try Self.sql(db, "select count(*), count(distinct step || ':' || question_id || ':' || sample_index) from trajectory") == "24 24")
            // Within an epoch (two steps) no question repeats.
            for epoch in 0..<3 {
                let q = try Self.sql(db, "select count(distinct question_id) from trajectory where step in (\(2 * epoch), \(2 * epoch + 1))")
                #expect(q == "4", "seed \(seed) epoch \(epoch)")
            }
        }
        let tooBig = try runSearchlab(["train"] + args + ["--set", "data.train_batch_size=6", "--db", dir.appendingPathComponent("x.sqlite").path, "--name", "r"])
        #expect(tooBig.status == 1)
        #expect(tooBig.stderr == "error: data.train_batch_size (6) exceeds the world's 5 training questions; lower it or make a world with more (`searchlab world --train N`)\n")
        // Refused before the database is opened: no empty database, no lock file.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sqlite").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sqlite.checkpoints").path))
    }

    /// Every step that searched has its engine calls in `retrieval_log`, validation included:
    /// the shipped base policy searches, so rollouts and validations both call the engine.
    /// Each step's rollout calls are exactly its trajectories' searches; each validation's
    /// are its questions' mean searches × their number, stored as `validation`.
    @Test func everyStepThatSearchedHasItsCallsStored() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let world = dir.appendingPathComponent("world").path, db = dir.appendingPathComponent("runs.sqlite").path
        #expect(try runSearchlab(["world", "--seed", "1", "--out", world]).status == 0)
        let validationQuestions = 6
        let r = try runSearchlab([
            "train", "--config", Fixtures.url("configs/grpo.yaml").path, "--db", db, "--name", "r",
            "--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(Fixtures.url("base-small").path)",
            "--set", "data.train_batch_size=3", "--set", "actor_rollout_ref.rollout.n_agent=2",
            "--set", "actor_rollout_ref.actor.ppo_mini_batch_size=6", "--set", "actor_rollout_ref.actor.ppo_micro_batch_size=6",
            "--set", "trainer.total_training_steps=2", "--set", "trainer.test_freq=1", "--set", "trainer.val_before_train=true",
            "--set", "data.val_batch_size=\(validationQuestions)", "--set", "trainer.save_freq=-1",
        ], environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        for step in 0..<2 {
            let searched = try Int(Self.sql(db, "select sum(search_count) from trajectory where step = \(step)")) ?? -1
            let rollout = try Int(Self.sql(db, "select count(*) from retrieval_log where step = \(step) and phase = 'rollout'")) ?? -1
            #expect(searched > 0 && rollout == searched, "step \(step): \(searched) searches, \(rollout) rollout calls")
            let mean = try Double(Self.sql(db, "select value from metric where step = \(step) and name = 'val/search_count'")) ?? -1
            let validation = try Int(Self.sql(db, "select count(*) from retrieval_log where step = \(step) and phase = 'validation'")) ?? -1
            #expect(mean > 0 && validation == Int((mean * Double(validationQuestions)).rounded()),
                    "step \(step): val/search_count \(mean) × \(validationQuestions), \(validation) validation calls")
        }
    }

    /// save_freq -1: no periodic checkpoint, but the last step's; a --max-steps stop saves one.
    @Test func checkpointsFollowSaveFrequency() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir)
        let never = dir.appendingPathComponent("never.sqlite").path
        #expect(try runSearchlab(["train"] + args + ["--db", never, "--name", "r"]).status == 0)
        #expect(try Self.sql(never, "select step from checkpoint") == "4")
        let names = try FileManager.default.contentsOfDirectory(atPath: never + ".checkpoints/r").filter { $0.hasPrefix("step-") }
        #expect(names == ["step-4"])
        let every2 = dir.appendingPathComponent("two.sqlite").path
        #expect(try runSearchlab(["train"] + args + ["--set", "trainer.save_freq=2", "--db", every2, "--name", "r"]).status == 0)
        #expect(try Self.sql(every2, "select group_concat(step) from (select step from checkpoint order by step)") == "2,4")
        let stopped = dir.appendingPathComponent("stop.sqlite").path
        #expect(try runSearchlab(["train"] + args + ["--max-steps", "1", "--db", stopped, "--name", "r"]).status == 0)
        #expect(try Self.sql(stopped, "select step from checkpoint") == "1")
    }

    /// --resume compares the stored config: a changed key is refused with both values;
    /// trainer.total_training_steps may change, and the record then shows the new total.
    @Test func resumeRefusesAChangedConfig() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir)
        let db = dir.appendingPathComponent("r.sqlite").path
        #expect(try runSearchlab(["train"] + args + ["--max-steps", "1", "--db", db, "--name", "r"]).status == 0)
        let before = try Self.sql(db, "select config_json from run")
        let changed = try runSearchlab(["train"] + args + ["--set", "actor_rollout_ref.actor.optim.lr=0.5", "--db", db, "--name", "r", "--resume"])
        #expect(changed.status == 1)
        #expect(changed.stderr.hasPrefix("error: --resume: actor_rollout_ref.actor.optim.lr was 0.0001, now 0.5 (only trainer.total_training_steps may change"),
                "\(changed.stderr)")
        #expect(try Self.sql(db, "select config_json from run") == before)
        #expect(try Self.sql(db, "select count(distinct step) from trajectory") == "1")
        let extended = try runSearchlab(["train"] + args + ["--set", "trainer.total_training_steps=2", "--db", db, "--name", "r", "--resume"])
        #expect(extended.status == 0, "\(extended.stderr)")
        #expect(try Self.sql(db, "select json_extract(config_json, '$.\"trainer.total_training_steps\"') from run") == "2")
        #expect(try Self.sql(db, "select count(distinct step) from trajectory") == "2")
    }

    /// A second trainer of the same run is refused at once, naming the first one's process.
    @Test func aSecondTrainerOfTheSameRunIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir) + ["--set", "trainer.total_training_steps=200"]
        let db = dir.appendingPathComponent("r.sqlite").path
        let first = Process()
        first.executableURL = searchlabBinary()
        first.arguments = ["train"] + args + ["--db", db, "--name", "r"]
        first.standardError = FileHandle.nullDevice
        first.standardOutput = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        let lock = db + ".checkpoints/r.lock"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: lock, encoding: .utf8)) ?? "").isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        let started = Date()
        let second = try runSearchlab(["train"] + args + ["--db", db, "--name", "r", "--resume"])
        #expect(Date().timeIntervalSince(started) < 1.0)
        #expect(second.status == 1)
        #expect(second.stderr.hasPrefix("error: run r is being trained by process \(first.processIdentifier) since "), "\(second.stderr)")
        // Killed, its lock is gone with it: the run can be taken over.
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let third = try runSearchlab(["train"] + args + ["--db", db, "--name", "r", "--resume", "--max-steps", "1"])
        #expect(!third.stderr.contains("is being trained"), "\(third.stderr)")
    }

    /// A prompt limit beyond the model's context is an error naming both numbers; nothing stored.
    @Test func limitsBeyondTheModelsContextAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir)
        let db = dir.appendingPathComponent("r.sqlite").path
        let r = try runSearchlab(["train"] + args + ["--set", "data.max_start_length=100", "--set", "data.max_prompt_length=100", "--db", db, "--name", "r"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: data.max_start_length (100) exceeds the context of the model in "), "\(r.stderr)")
        #expect(r.stderr.hasSuffix("(64 tokens); set it to at most 64\n"))
        #expect(try Self.sql(db, "select count(*) from run") == "0")
    }

    /// Every run records the commit of the binary that made it.
    @Test func runsRecordTheCommitOfTheirCode() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir) + ["--max-steps", "1"]
        let db = dir.appendingPathComponent("r.sqlite").path
        #expect(try runSearchlab(["train"] + args + ["--db", db, "--name", "r"]).status == 0)
        let version = try Self.sql(db, "select code_version from run")
        #expect(version.range(of: #"^0\.1\.0@([0-9a-f]{40}|unknown)(\+dirty)?$"#, options: .regularExpression) != nil, "\(version)")
        let eval = try runSearchlab(["eval", "--checkpoint", db + ".checkpoints/r/step-1", "--world", dir.appendingPathComponent("world").path,
                                     "--limit", "2", "--db", db, "--run", "r"])
        #expect(eval.status == 1)
        #expect(eval.stderr == "error: a run named \"r\" already exists in \(db); choose another --run\n")
    }
    /// `eval --config` is the run's validation. The shipped base policy (which searches and
    /// answers) trains 2 steps at a high learning rate, so the two checkpoints behave apart; with
    /// the run's config, the base scores step 0's `val/em` (validation before training) and the
    /// step-2 checkpoint the `val/em` stored after step 2, with the same searches in the same
    /// order and the same answers from the engine; the eval run stores the resolved config.
    @Test func evalWithTheRunsConfigScoresTheRunsValidation() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let world = dir.appendingPathComponent("world").path, base = Fixtures.url("base-small").path
        #expect(try runSearchlab(["world", "--seed", "1", "--out", world]).status == 0)
        #expect(try runSearchlab(["index", "--corpus", world + "/corpus.jsonl", "--out", world + "/bm25.index", "--quiet"]).status == 0)
        let config = [
            "--config", Fixtures.url("configs/grpo.yaml").path, "--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(base)",
            "--set", "data.train_batch_size=2", "--set", "actor_rollout_ref.rollout.n_agent=2",
            "--set", "actor_rollout_ref.actor.ppo_mini_batch_size=4", "--set", "actor_rollout_ref.actor.ppo_micro_batch_size=2",
            "--set", "actor_rollout_ref.actor.optim.lr=1e-3", "--set", "trainer.total_training_steps=2", "--set", "trainer.test_freq=2",
            "--set", "trainer.save_freq=2", "--set", "trainer.val_before_train=true", "--set", "data.val_batch_size=8",
            "--set", "trainer.seed=5",
        ]
        let db = dir.appendingPathComponent("r.sqlite").path
        let train = try runSearchlab(["train"] + config + ["--db", db, "--name", "r", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        func metrics(_ run: String, step: Int) throws -> String {
            try Self.sql(db, "select m.name, m.value from metric m join run on run.id = m.run_id where run.name = '\(run)' "
                         + "and m.step = \(step) and m.name in ('val/em', 'val/search_count') order by m.name")
        }
        func calls(_ run: String, step: Int, phase: String) throws -> String {
            try Self.sql(db, "select l.query, l.top_k, l.hits_json from retrieval_log l join run on run.id = l.run_id "
                         + "where run.name = '\(run)' and l.step = \(step) and l.phase = '\(phase)' order by l.id")
        }
        // Every trained trajectory has its token view, and render --tokens shows it: observation
        // tokens masked, the policy's own in the loss, the pieces covering the response.
        #expect(try Self.sql(db, "select count(*) = (select count(*) from trajectory) from token_view") == "1")
        let first = try Self.sql(db, "select min(trajectory_id) from token_view join turn t using (trajectory_id) where t.observation_kind = 'information'")
        let tokens = try runSearchlab(["render", "--tokens", first, "--db", db])
        #expect(tokens.status == 0, "\(tokens.stderr)")
        let rows = tokens.stdout.split(separator: "\n").dropFirst(2).map { $0.split(separator: "\t", maxSplits: 3) }
        #expect(rows.contains { $0[1] == "mask" && $0[3].contains("<information>") } && rows.contains { $0[1] == "train" })
        #expect(rows.allSatisfy { $0[1] == "mask" || !$0[3].contains("Doc 1(Title") })
        let noView = try runSearchlab(["render", "--tokens", "nope:0:q:0", "--db", db])
        #expect(noView.status == 1 && noView.stderr.hasPrefix("error: no trajectory nope:0:q:0"))
        let before = try metrics("r", step: 0), after = try metrics("r", step: 1)
        #expect(before != after, "the two checkpoints should behave apart: \(before) / \(after)")
        for (checkpoint, step) in [(base, 0), (db + ".checkpoints/r/step-2", 1)] {
            let name = "e\(step)"
            let eval = try runSearchlab(["eval", "--checkpoint", checkpoint, "--db", db, "--run", name, "--quiet"] + config)
            #expect(eval.status == 0, "\(eval.stderr)")
            #expect(eval.stdout.contains("(n=8)"), "\(eval.stdout)")
            #expect(try metrics(name, step: 0) == metrics("r", step: step), "checkpoint \(checkpoint)")
            let validationCalls = try calls("r", step: step, phase: "validation")
            #expect(!validationCalls.isEmpty)
            #expect(try calls(name, step: 0, phase: "rollout") == validationCalls, "checkpoint \(checkpoint)")
            #expect(try Self.sql(db, "select config_json like '%\"data.val_batch_size\":8%' from run where name = '\(name)'") == "1")
        }
        // A flag is its config key and wins over the config; the stored spec says so.
        let flagged = try runSearchlab(["eval", "--checkpoint", base, "--topk", "2", "--temperature", "0.5", "--limit", "3",
                                        "--db", db, "--run", "e-topk", "--quiet"] + config)
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(try Self.sql(db, "select json_extract(config_json, '$.\"retriever.topk\"') || ' ' || json_extract(config_json, '$.\"policy.checkpoint\"') "
                             + "|| ' ' || json_extract(config_json, '$.\"actor_rollout_ref.rollout.val_kwargs.temperature\"') from run where name = 'e-topk'")
                == "2 \(base) 0.5")
        #expect(try Self.sql(db, "select distinct l.top_k from retrieval_log l join run on run.id = l.run_id where run.name = 'e-topk'") == "2")
        // An eval trajectory from the middle of its batch replays in its shard, its checkpoint found from the spec.
        let id = try Self.sql(db, "select t.id from trajectory t join run on run.id = t.run_id where run.name = 'e1' order by t.id limit 1 offset 5")
        let replay = try runSearchlab(["replay", id, "--db", db])
        #expect(replay.status == 0 && replay.stdout.contains("identical"), "\(replay.stdout) \(replay.stderr)")
        #expect(replay.stdout.contains("batch: row 5 of 8 on 2 workers"), "\(replay.stdout)")
    }
}
