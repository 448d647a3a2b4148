import Foundation
import SearchLabCore
import SearchLabReport
import SearchLabTestSupport
import Testing

/// Grid files: expansion order, deterministic names, located errors.
struct AblationGridTests {
    static let grid = """
        base: ../configs/grpo.yaml
        seeds: 2
        set:
          trainer.total_training_steps: 4
        axes:
          algorithm:
            ppo: {algorithm.adv_estimator: gae, actor_rollout_ref.rollout.n_agent: 1}
            grpo: {algorithm.adv_estimator: grpo}
          retriever.topk: [1, 3, 5]
        """

    @Test func expandsAxesInFileOrderWithSeedsInnermost() throws {
        let grid = try AblationGrid(yaml: Self.grid, file: "/g/grids/x.yaml")
        #expect(grid.baseConfig == "/g/configs/grpo.yaml")
        let cells = grid.cells()
        #expect(cells.count == 2 * 3 * 2)
        #expect(cells.map { $0.labels + [String($0.seed)] }.prefix(4) == [["ppo", "1", "0"], ["ppo", "1", "1"], ["ppo", "3", "0"], ["ppo", "3", "1"]])
        #expect(cells[0].overrides(after: ["world.dir=W"]) == ["trainer.total_training_steps=4", "world.dir=W", "algorithm.adv_estimator=gae",
                                                              "actor_rollout_ref.rollout.n_agent=1", "retriever.topk=1", "trainer.seed=0"])
        #expect(cells[0].reservedKeys == ["algorithm.adv_estimator", "actor_rollout_ref.rollout.n_agent", "retriever.topk", "trainer.seed"])
        #expect(grid.cells(seeds: 3).count == 18)
        // Names: readable, unique, stable (they name files a resumed grid finds again).
        #expect(Set(cells.map(\.name)).count == cells.count)
        #expect(cells[0].name.hasPrefix("ppo_1-") && cells[0].name.hasSuffix("-s0"))
        #expect(try AblationGrid(yaml: Self.grid, file: "/other/x.yaml").cells().map(\.name) == cells.map(\.name))
        let changed = try AblationGrid(yaml: Self.grid.replacingOccurrences(of: "steps: 4", with: "steps: 5"), file: "x.yaml")
        #expect(changed.cells()[0].name != cells[0].name)
    }

    @Test(arguments: [
        ("base: a.yaml\naxes:\n  retriever.topk: [1, 3]\n  retriever.bogus: [1]\n", "g.yaml:4: unknown key"),
        ("base: a.yaml\naxes:\n  retriever.topk: 3\n", "g.yaml:3: axis retriever.topk: expected a list of values or a mapping of named variants"),
        ("axes:\n  retriever.topk: [1]\n", "g.yaml: the grid names no base config"),
        ("base: a.yaml\n", "g.yaml: the grid has no axes"),
        ("base: a.yaml\nseeds: 0\naxes:\n  retriever.topk: [1]\n", "g.yaml:2: seeds: expected an integer (1 or more)"),
        ("base: a.yaml\nsteps: 3\naxes:\n  retriever.topk: [1]\n", "g.yaml:2: unknown grid field steps"),
        ("base: a.yaml\naxes:\n  retriever.topk: [1, 1]\n", "g.yaml:3: axis retriever.topk: the value 1 appears twice"),
        ("base: a.yaml\nset:\n  retriever.topk: 2\naxes:\n  retriever.topk: [1]\n", "g.yaml: retriever.topk is set by both set and axis"),
        ("base: a.yaml\naxes:\n  trainer.seed: [1, 2]\n", "g.yaml: axis trainer.seed sets trainer.seed"),
        ("base: a.yaml\naxes: [\n", "g.yaml:3: invalid YAML"),
    ])
    func badGridsAreLocatedErrors(_ text: String, _ expected: String) throws {
        let validate: (String, String) throws -> Void = { key, _ in
            if key.contains("bogus") { throw SearchLabError("unknown key \(key)") }
        }
        #expect {
            try AblationGrid(yaml: text, file: "g.yaml", validate: validate)
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    @Test func shippedGridsExpand() throws {
        let expected = ["ppo-vs-grpo.yaml": 2, "state-masking.yaml": 2, "topk.yaml": 3, "group-size.yaml": 3,
                        "retriever.yaml": 3, "search.yaml": 2]
        let shipped = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("grids").path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(shipped) == Set(expected.keys))
        for (file, cells) in expected {
            let grid = try AblationGrid.load(Fixtures.url("grids/\(file)").path)
            #expect(grid.cells().count == cells * 3, "\(file)")
            #expect(FileManager.default.fileExists(atPath: grid.baseConfig), "\(file)")
        }
    }
}
