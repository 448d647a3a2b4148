import Foundation
import SearchLabTestSupport
import Testing

/// `train N` equals `train, kill -9 mid-run, --resume`: the determinism contract.
@Suite(.serialized)
struct TrainResumeTests {
    static let trainArguments = [
        "--config", Fixtures.url("configs/grpo.yaml").path,
        "--set", "data.train_batch_size=2", "--set", "actor_rollout_ref.rollout.n_agent=2",
        "--set", "trainer.total_training_steps=5", "--set", "trainer.save_freq=1", "--set", "trainer.test_freq=2",
        "--set", "data.val_batch_size=2", "--set", "actor_rollout_ref.actor.ppo_mini_batch_size=4",
        "--set", "actor_rollout_ref.actor.ppo_micro_batch_size=2", "--set", "data.max_start_length=64", "--set", "data.max_prompt_length=64",
        "--set", "data.max_response_length=24", "--set", "max_turns=2",
    ]

    /// A small world and a briefly pretrained tiny policy.
    static func prepare(_ dir: URL) throws -> [String] {
        let world = dir.appendingPathComponent("world").path, checkpoint = dir.appendingPathComponent("base").path
        let w = try runSearchlab(["world", "--seed", "3", "--entities", "60", "--train", "40", "--test", "10", "--out", world])
        #expect(w.status == 0, "\(w.stderr)")
        let p = try runSearchlab(["pretrain", "--world", world, "--out", checkpoint, "--preset", "tiny", "--steps", "3", "--batch-rows", "2"])
        #expect(p.status == 0, "\(p.stderr)")
        return trainArguments + ["--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(checkpoint)"]
    }

    /// Trajectory digests and every non-timing metric, as text.
    static func fingerprint(_ db: String) throws -> String {
        let script = """
        import sqlite3, sys
        c = sqlite3.connect(sys.argv[1])
        for row in c.execute("select step, question_id, sample_index, content_digest from trajectory order by step, question_id, sample_index"): print(*row)
        for row in c.execute("select step, name, value from metric where name not like 'timing/%' order by step, name"): print(*row)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, db]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func killedAndResumedRunEqualsAnUninterruptedOne() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir)
        let straight = dir.appendingPathComponent("straight.sqlite").path
        let a = try runSearchlab(["train"] + args + ["--db", straight, "--name", "r"])
        #expect(a.status == 0, "\(a.stderr)")

        let killed = dir.appendingPathComponent("killed.sqlite").path
        let process = Process()
        process.executableURL = searchlabBinary()
        process.arguments = ["train"] + args + ["--db", killed, "--name", "r"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Let it store at least two steps, then kill it without warning mid-step.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if (try? Self.fingerprint(killed))?.split(separator: "\n").contains(where: { $0.hasPrefix("1 ") }) == true { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.15)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let resumed = try runSearchlab(["train"] + args + ["--db", killed, "--name", "r", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = try Self.fingerprint(straight)
        #expect(!expected.isEmpty)
        #expect(try Self.fingerprint(killed) == expected)
    }

    @Test func startingAnExistingRunOrResumingNothingIsAClearError() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir)
        let db = dir.appendingPathComponent("r.sqlite").path
        let missing = try runSearchlab(["train"] + args + ["--db", db, "--name", "r", "--resume"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: --resume: run r is not in "), "\(missing.stderr)")
        let once = try runSearchlab(["train"] + args + ["--db", db, "--name", "r", "--max-steps", "1"])
        #expect(once.status == 0, "\(once.stderr)")
        let again = try runSearchlab(["train"] + args + ["--db", db, "--name", "r"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("run r already exists"))
    }

    /// `policy.config` names the size the base checkpoint must have: a tiny checkpoint under
    /// `policy.config=small` is refused before anything is stored.
    @Test func aCheckpointOfAnotherSizeThanPolicyConfigIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir)
        let db = dir.appendingPathComponent("r.sqlite").path
        let wrong = try runSearchlab(["train"] + args + ["--db", db, "--name", "r", "--set", "policy.config=small"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasPrefix("error: policy.config is small (width 128, depth 4, 4 heads, context 512) but "), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("holds a model of width 32, depth 2"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.sqlite.checkpoints/r").path))
    }

    /// `trainer.val_before_train` stores the untouched policy's validation as step 0's `val/*`.
    @Test func validationBeforeTrainingIsStoredAtStepZero() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = try Self.prepare(dir) + ["--set", "trainer.test_freq=-1", "--max-steps", "1"]
        for before in [true, false] {
            let db = dir.appendingPathComponent("v\(before).sqlite").path
            let run = try runSearchlab(["train"] + args + ["--set", "trainer.val_before_train=\(before)", "--db", db, "--name", "r"])
            #expect(run.status == 0, "\(run.stderr)")
            let validated = try Self.fingerprint(db).split(separator: "\n").filter { $0.hasPrefix("0 val/em ") }
            #expect(validated.count == (before ? 1 : 0), "val_before_train=\(before)")
        }
    }
}
