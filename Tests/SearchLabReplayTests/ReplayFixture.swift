import Foundation
import GRDB
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

/// A run database made once for the suite by the real CLI: a small world, a tiny policy
/// pretrained long enough to search now and then, an `eval` run (sampled at temperature 1;
/// 12 of its turns search and read documents) and a two-step `train` run that checkpoints
/// every step.
final class ReplayFixture: @unchecked Sendable {
    let directory: URL
    var db: String { directory.appendingPathComponent("runs.sqlite").path }
    var world: String { directory.appendingPathComponent("world").path }
    var base: String { directory.appendingPathComponent("base").path }

    static let shared = Result { try ReplayFixture() }

    private init() throws {
        directory = try Fixtures.temporaryDirectory()
        try Self.run(["world", "--seed", "5", "--entities", "60", "--train", "40", "--test", "10", "--out", world])
        try Self.run(["pretrain", "--world", world, "--out", base, "--preset", "tiny", "--steps", "500", "--batch-rows", "8", "--lr", "0.003"])
        try Self.run(["eval", "--checkpoint", base, "--world", world, "--split", "train", "--limit", "40", "--temperature", "1", "--seed", "11",
                      "--db", db, "--run", "ev"])
        try Self.run(["train", "--config", Fixtures.url("configs/grpo.yaml").path, "--db", db, "--name", "tr",
                      "--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(base)",
                      "--set", "data.train_batch_size=2", "--set", "actor_rollout_ref.rollout.n_agent=2",
                      "--set", "trainer.total_training_steps=2", "--set", "trainer.save_freq=1", "--set", "trainer.test_freq=-1",
                      "--set", "actor_rollout_ref.actor.ppo_mini_batch_size=4", "--set", "actor_rollout_ref.actor.ppo_micro_batch_size=2",
                      "--set", "data.max_start_length=64", "--set", "data.max_prompt_length=64", "--set", "data.max_response_length=24", "--set", "max_turns=2"])
    }

    static func run(_ arguments: [String]) throws {
        let result = try runSearchlab(arguments)
        guard result.status == 0 else { throw SearchLabError("searchlab \(arguments[0]) failed: \(result.stderr)") }
    }

    /// Store ids of a run's trajectories, in id order.
    func ids(run: String) throws -> [Int64] {
        let store = try RunStore(path: db, create: false)
        return try store.read { db in
            try Int64.fetchAll(db, sql: "SELECT t.id FROM trajectory t JOIN run r ON r.id = t.run_id WHERE r.name = ? ORDER BY t.id",
                               arguments: [run])
        }
    }

    /// (trajectory id, turn) of every turn that searched and read documents, in id order.
    func searchTurns(run: String) throws -> [(id: Int64, turn: Int)] {
        let store = try RunStore(path: db, create: false)
        return try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.trajectory_id, u.turn_index FROM turn u JOIN trajectory t ON t.id = u.trajectory_id
                JOIN run r ON r.id = t.run_id WHERE r.name = ? AND u.observation_kind = 'information'
                ORDER BY u.trajectory_id, u.turn_index
                """, arguments: [run]).map { (id: $0[0], turn: $0[1]) }
        }
    }

    /// A copy of the database to tamper with.
    func copy(named name: String) throws -> String {
        let target = directory.appendingPathComponent(name).path
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            try? FileManager.default.removeItem(atPath: target + suffix)
            try FileManager.default.copyItem(atPath: db + suffix, toPath: target + suffix)
        }
        return target
    }
}
