import Foundation
import GRDB
import SearchLabCore
import SearchLabReport
import SearchLabStore
import SearchLabTestSupport
import Testing

/// `merge` copies whole runs (ids remapped), skips identical ones, refuses conflicts;
/// `compare` pools seeds and marks the best cell.
struct MergeCompareTests {
    /// A database with one run of two steps, metrics and one trajectory per step.
    static func makeRun(_ path: String, name: String, config: [String: JSONValue], em: Double) throws {
        let store = try RunStore(path: path)
        let run = try store.createRun(RunSpec(name: name, source: "trainer", configJSON: try CanonicalJSON.string(config), seed: 0, codeVersion: "test"))
        let trajectories = try JSONDecoder().decode([Trajectory].self, from: Data(try Fixtures.text("report/two-trajectories.json").utf8))
        for step in 0..<2 {
            try store.writeStep(runID: run.id!, step: step, metrics: ["val/em": em + Double(step), "val/em/sim-1hop": em,
                                                                      "reward/mean": 0.5, "timing/step_s": Double.random(in: 0...1)],
                                trajectories: [trajectories[step]])
        }
        try store.write { try $0.logRetrieval(runID: run.id!, step: 1, engineFingerprint: "bm25", query: "q", topK: 3, hits: []) }
    }

    static func counts(_ path: String) throws -> [Int] {
        try RunStore(path: path, create: false).read { db in
            try ["run", "step", "metric", "trajectory", "trajectory_text", "turn", "retrieved_document", "retrieval_log"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? 0
            }
        }
    }

    @Test func mergeCopiesRunsSkipsIdenticalAndRefusesConflicts() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        let out = dir.appendingPathComponent("out.sqlite").path
        try Self.makeRun(a, name: "x", config: ["trainer.seed": .integer(0)], em: 0.1)
        try Self.makeRun(b, name: "y", config: ["trainer.seed": .integer(1)], em: 0.2)
        var outcome = try RunMerge.merge(into: out, from: [a, b])
        #expect(outcome.merged == ["x", "y"])
        let single = try Self.counts(a)
        #expect(try Self.counts(out) == single.map { $0 * 2 })
        // Trajectories and their turns come back exactly (ids shifted, text intact).
        let digests = try RunStore(path: out, create: false).read { db in
            try String.fetchAll(db, sql: """
                SELECT t.content_digest || ':' || (SELECT COUNT(*) FROM turn u WHERE u.trajectory_id = t.id)
                FROM trajectory t JOIN run r ON r.id = t.run_id ORDER BY r.name, t.step
                """)
        }
        let source = try RunStore(path: a, create: false).read { db in
            try String.fetchAll(db, sql: "SELECT t.content_digest || ':' || (SELECT COUNT(*) FROM turn u WHERE u.trajectory_id = t.id) FROM trajectory t ORDER BY t.step")
        }
        #expect(Array(digests.prefix(2)) == source)

        // Again: identical runs are skipped (timings differ and do not matter).
        outcome = try RunMerge.merge(into: out, from: [a, b])
        #expect(outcome.merged.isEmpty && outcome.skipped == ["x", "y"])
        #expect(try Self.counts(out) == single.map { $0 * 2 })

        // A different run named x is refused before anything is written.
        let c = dir.appendingPathComponent("c.sqlite").path
        try Self.makeRun(c, name: "x", config: ["trainer.seed": .integer(5)], em: 0.9)
        let before = try Self.counts(out)
        #expect { try RunMerge.merge(into: out, from: [c]) } throws: { "\($0)".contains("run x from \(c) is already in \(out) with different content") }
        #expect(try Self.counts(out) == before)
        outcome = try RunMerge.merge(into: out, from: [c], prefix: "c-")
        #expect(outcome.merged == ["c-x"])
        #expect(throws: SearchLabError.self) { try RunMerge.merge(into: out, from: [out]) }
    }

    @Test func mergeCommandReportsConflictsInOneLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path, b = dir.appendingPathComponent("b.sqlite").path
        let out = dir.appendingPathComponent("out.sqlite").path
        try Self.makeRun(a, name: "x", config: ["trainer.seed": .integer(0)], em: 0.1)
        try Self.makeRun(b, name: "x", config: ["trainer.seed": .integer(1)], em: 0.1)
        let ok = try runSearchlab(["merge", out, a])
        #expect(ok.status == 0 && ok.stdout == "merged 1 runs into \(out)\n", "\(ok.stderr)")
        let clash = try runSearchlab(["merge", out, b])
        #expect(clash.status == 1)
        #expect(clash.stderr == "error: run x from \(b) is already in \(out) with different content; merge with --prefix to rename the incoming runs, or into another file\n")
        let renamed = try runSearchlab(["merge", out, b, "--prefix", "b-"])
        #expect(renamed.status == 0, "\(renamed.stderr)")
        let compared = try runSearchlab(["compare", "x", "b-x", "--db", out])
        // Same config, seeds 0 and 1: one cell of two seeds (labelled by its first run).
        let rows = compared.stdout.split(separator: "\n")
        #expect(compared.status == 0 && rows.count == 3, "\(compared.stdout)")
        #expect(rows[1].hasPrefix("*     x         2  1.100 ± 0.000"), "\(compared.stdout)")
        let missing = try runSearchlab(["merge", out, dir.appendingPathComponent("nope.sqlite").path])
        #expect(missing.status == 1 && missing.stderr.contains("nope.sqlite: no such database"))
    }

    @Test func comparePoolsSeedsAndMarksTheBestCell() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("runs.sqlite").path
        for (i, (masking, em)) in [(true, 0.4), (true, 0.5), (true, 0.6), (false, 0.1), (false, 0.3)].enumerated() {
            let part = dir.appendingPathComponent("p\(i).sqlite").path
            try Self.makeRun(part, name: "r\(i)", config: ["trainer.seed": .integer(Int64(i)), "state_masking": .bool(masking), "lr": .integer(1)], em: em)
            _ = try RunMerge.merge(into: db, from: [part])
        }
        let store = try RunStore(path: db, create: false)
        let comparison = RunComparison(try RunSummary.load(RunSummary.names(in: store), from: store))
        #expect(comparison.cells.map(\.label) == ["state_masking=true", "state_masking=false"])
        #expect(comparison.bestCell == 0)
        let text = comparison.table().text()
        // Final val/em = em + 1 (last step); t(0.975, 2) = 4.3027 · 0.1/√3 = 0.248.
        #expect(text.contains("1.500 ± 0.248"), "\(text)")
        #expect(text.contains("1.200 ± 1.271"), "\(text)")   // t(0.975, 1) = 12.706 · 0.1414/√2
        #expect(text.hasPrefix("best  cell"))
        #expect(text.split(separator: "\n")[1].hasPrefix("*     state_masking=true"))
        #expect(throws: SearchLabError.self) { try RunSummary.load(["nope"], from: store) }

        // A second run with the same config and seed repeats a deterministic run: not a sample.
        let runs = try RunSummary.load(RunSummary.names(in: store), from: store)
        let twice = RunComparison(runs + [runs[0]])
        #expect(twice.cells.map(\.runs.count) == [3, 2])
        #expect(twice.repeats == ["r0"] && twice.legend.contains("left out (same config and seed as a run already counted): r0"))
        #expect(RunComparison.shortNames(["a.optim.lr", "c.optim.lr", "x.topk"]) == ["a.optim.lr": "a.optim.lr", "c.optim.lr": "c.optim.lr", "x.topk": "topk"])
    }
}
