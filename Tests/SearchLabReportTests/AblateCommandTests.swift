import Foundation
import SearchLabTestSupport
import Testing

/// `searchlab ablate` end to end on a tiny model: runs every cell, resumes an interrupted one,
/// skips finished ones, merges them and prints the comparison.
@Suite(.serialized)
struct AblateCommandTests {
    /// A small world and a briefly pretrained tiny policy, as `--set` overrides.
    static func prepare(_ dir: URL) throws -> [String] {
        let world = dir.appendingPathComponent("world").path, checkpoint = dir.appendingPathComponent("base").path
        let w = try runSearchlab(["world", "--seed", "3", "--entities", "60", "--train", "40", "--test", "10", "--out", world])
        #expect(w.status == 0, "\(w.stderr)")
        let p = try runSearchlab(["pretrain", "--world", world, "--out", checkpoint, "--preset", "tiny", "--steps", "3", "--batch-rows", "2"])
        #expect(p.status == 0, "\(p.stderr)")
        return ["--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(checkpoint)"]
    }

    /// Two masking settings × 2 seeds, `steps` tiny steps each.
    static func writeGrid(_ dir: URL, steps: Int) throws -> String {
        let grid = """
            base: \(Fixtures.url("configs/grpo.yaml").path)
            seeds: 2
            set:
              trainer.total_training_steps: \(steps)
              trainer.save_freq: 1
              trainer.test_freq: 1
              data.train_batch_size: 2
              data.val_batch_size: 2
              actor_rollout_ref.rollout.n_agent: 2
              actor_rollout_ref.actor.ppo_mini_batch_size: 4
              actor_rollout_ref.actor.ppo_micro_batch_size: 2
              data.max_start_length: 64
              data.max_prompt_length: 64
              data.max_response_length: 24
              max_turns: 2
            axes:
              actor_rollout_ref.actor.state_masking: [true, false]
            """
        let path = dir.appendingPathComponent("grid.yaml").path
        try grid.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func runNames(_ db: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys\nfor r in sqlite3.connect(sys.argv[1]).execute('select name from run order by created_order'): print(r[0])", db]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func runsResumesSkipsAndCompares() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sets = try Self.prepare(dir)
        let grid = try Self.writeGrid(dir, steps: 2)
        let db = dir.appendingPathComponent("grid.sqlite").path

        // --list expands the grid and shows each cell's train command; nothing runs.
        let listing = try runSearchlab(["ablate", "--grid", grid, "--db", db, "--list"] + sets)
        #expect(listing.status == 0, "\(listing.stderr)")
        let cells = listing.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { String($0.split(separator: " ")[0]) }
        #expect(cells.count == 4)
        #expect(listing.stdout.components(separatedBy: "  fresh  ").count == 5)

        // Interrupt one cell after its first step (as a killed job would leave it).
        let command = listing.stdout.split(separator: "\n")[1].split(separator: " ").dropFirst().map(String.init)
        #expect(command.first == "train")
        let partial = try runSearchlab(command + ["--max-steps", "1"])
        #expect(partial.status == 0, "\(partial.stderr)")
        let relisted = try runSearchlab(["ablate", "--grid", grid, "--db", db, "--list"] + sets)
        #expect(relisted.stdout.contains("\(cells[0])  resumable"))

        let first = try runSearchlab(["ablate", "--grid", grid, "--db", db, "--jobs", "2", "--heartbeat", "0.2"] + sets)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("\(cells[0]): resuming"))
        #expect(first.stderr.components(separatedBy: ": starting").count == 4)
        #expect(first.stderr.contains("[4/4 done]"))
        #expect(cells.contains { first.stderr.contains("\n  \($0): ") }, "a heartbeat line: \(first.stderr)")
        let lines = first.stdout.split(separator: "\n")
        #expect(lines[0].hasPrefix("best  cell   seeds  test EM"), "\(first.stdout)")
        #expect(lines.count == 4)   // header, two cells, legend
        #expect(lines[1].hasPrefix("*") != lines[2].hasPrefix("*"), "one best cell: \(first.stdout)")
        #expect(lines[1].dropFirst(6).hasPrefix("true ") && lines[2].dropFirst(6).hasPrefix("false "), "\(first.stdout)")
        #expect(try Self.runNames(db) == cells)

        // Again: every cell is finished, nothing runs, the same table comes out.
        let cellDB = db + ".cells/\(cells[1]).sqlite"
        let modified = try FileManager.default.attributesOfItem(atPath: cellDB)[.modificationDate] as? Date
        let second = try runSearchlab(["ablate", "--grid", grid, "--db", db] + sets)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.components(separatedBy: "finished, skipped").count == 5)
        #expect(!second.stderr.contains("starting") && !second.stderr.contains("resuming"))
        #expect(try FileManager.default.attributesOfItem(atPath: cellDB)[.modificationDate] as? Date == modified)
        #expect(second.stdout == first.stdout)
        #expect(try Self.runNames(db) == cells)

        // Cells stored with another config are not silently reused; axes are the grid's.
        let changed = try runSearchlab(["ablate", "--grid", grid, "--db", db, "--set", "trainer.total_training_steps=3"] + sets)
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("was trained with trainer.total_training_steps = 2, the grid now gives 3"), "\(changed.stderr)")
        let axis = try runSearchlab(["ablate", "--grid", grid, "--db", db, "--set", "actor_rollout_ref.actor.state_masking=true"] + sets)
        #expect(axis.status == 1)
        #expect(axis.stderr.contains("actor_rollout_ref.actor.state_masking is an axis of the grid"), "\(axis.stderr)")

        // compare reads the merged runs the same way.
        let compared = try runSearchlab(["compare", "--db", db])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stdout.contains("state_masking=true"))
    }

    @Test func aBadGridStopsBeforeAnythingRuns() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("bad.yaml").path
        try "base: \(Fixtures.url("configs/grpo.yaml").path)\naxes:\n  retriever.topk: [1, zero]\n".write(toFile: grid, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("g.sqlite").path
        let result = try runSearchlab(["ablate", "--grid", grid, "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(grid):3: retriever.topk: expected an integer"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db + ".cells"))
    }

    /// Every shipped grid expands and every cell's config resolves (nothing is trained).
    @Test(arguments: ["ppo-vs-grpo", "state-masking", "topk", "group-size", "retriever", "search"])
    func shippedGridsListTheirCells(_ name: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runSearchlab(["ablate", "--grid", Fixtures.url("grids/\(name).yaml").path, "--db", dir.appendingPathComponent("g.sqlite").path,
                                       "--list", "--set", "world.dir=/nonexistent"])
        #expect(result.status == 0, "\(result.stderr)")
        let cells = result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        #expect(cells.count >= 6 && cells.allSatisfy { $0.contains("  fresh  ") })
    }
}
