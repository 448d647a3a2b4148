import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct SyntheticTests {
    @Test func syntheticRolloutsAreDeterministicAndStoreLikeAnyOther() throws {
        let generator = SyntheticRollouts(seed: 9, questions: 5, samples: 3)
        let again = SyntheticRollouts(seed: 9, questions: 5, samples: 3)
        for index in [0, 7, 14, 29] {
            #expect(try generator.trajectory(index).trajectory.contentDigest() == again.trajectory(index).trajectory.contentDigest())
        }
        #expect(generator.trajectory(16).step == 1)
        let db = try TestDatabase()
        defer { db.remove() }
        let timing = try generator.store(count: 30, into: db.store, runName: "syn", batch: 7, codeVersion: "test")
        #expect(timing.stored == 30)
        let stored = try db.store.trajectory(TrajectoryRef(parsing: "syn:1:sq2:1"))
        #expect(stored.trajectory == generator.trajectory(1 * 15 + 2 * 3 + 1).trajectory)
        let table = try SearchCounts.table(store: db.store, runs: ["syn"], by: .step)
        #expect(table.rows.map { $0[2] } == [.integer(15), .integer(15)])
        // Questions 0…4 have 1, 2, 3, 1, 2 hops (data sources sim-1hop …), 3 samples, 2 steps.
        let hops = try SearchCounts.table(store: db.store, runs: ["syn"], by: .hops)
        #expect(hops.rows.map { [$0[1], $0[2]] } == [[.integer(1), .integer(12)], [.integer(2), .integer(12)], [.integer(3), .integer(6)]])
        let sources = try SearchCounts.table(store: db.store, runs: [], by: .dataSource)
        #expect(sources.rows.map { $0[1].plain } == ["sim-1hop", "sim-2hop", "sim-3hop"])
    }

    @Test func parallelPreparationKeepsInputOrder() throws {
        let generator = SyntheticRollouts(seed: 3, questions: 50, samples: 2)
        let trajectories = (0..<100).map { generator.trajectory($0).trajectory }
        let prepared = try PreparedTrajectory.prepareAll(trajectories)
        #expect(prepared.map(\.trajectory) == trajectories)
    }
}
