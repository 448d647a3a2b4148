// `searchlab report`: a static, self-contained site for one run (no network, opens from the
// file system): index.html and one page per trajectory under t/.
import Foundation
import GRDB
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

/// Builds the static HTML site of one run.
public struct HTMLReport {
    public var store: RunStore
    public var run: String
    /// Trajectories listed: those of the last `steps` steps, at most `limit`.
    public var steps: Int
    public var limit: Int

    public init(store: RunStore, run: String, steps: Int = 1, limit: Int = 500) {
        self.store = store
        self.run = run
        self.steps = steps
        self.limit = limit
    }

    /// Every file of the site, as (relative path, bytes).
    public func build(progress: (String) -> Void = { _ in }) throws -> [(path: String, data: Data)] {
        let data = try RunData.load(run, from: store)
        let runID = data.record.id ?? 0
        let rows = try TrajectoryRow.load(runID: runID, runName: run, from: store, lastSteps: steps, failingOnly: false, limit: limit)
        let total = try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM trajectory WHERE run_id = ?", arguments: [runID]) ?? 0 }
        let chains = Self.goldChains(worldDirectory: data.config.first { $0.key == "world.dir" }?.value)
        var files: [(String, Data)] = []
        var classes: [Int64: [FailureClass]] = [:]
        var withTokens = Set<Int64>()
        for (i, row) in rows.enumerated() {
            if i % 50 == 0 { progress("report: trajectories \(i + 1)…\(min(i + 50, rows.count)) of \(rows.count)") }
            let stored = try store.trajectories(ids: [row.id])[0]
            let svg = try GraphvizRenderer.render(GraphBuilder.trajectory(stored).dot(), format: .svg)
            let sibling = try self.sibling(of: row, runID: runID).map { try store.trajectories(ids: [$0])[0] }
            // Why it missed, by `searchlab scan`'s rules (docs/analysis.md).
            let findings = FailureScanner.classify(stored.trajectory, chain: chains[stored.trajectory.question.id])
            classes[row.id] = findings.map(\.failureClass)
            let tokens = try store.tokenView(trajectoryID: row.id)
            if tokens != nil { withTokens.insert(row.id) }
            files.append(("t/\(row.id).html", Data(TrajectoryPage.render(stored, graphSVG: svg, sibling: sibling, findings: findings,
                                                                          tokens: tokens).utf8)))
        }
        files.insert(("index.html", Data(IndexPage.render(data, rows: rows, totalTrajectories: total, classes: classes, tokenViews: withTokens).utf8)), at: 0)
        return files
    }

    /// The gold chains of the run's world, when its files are there (scan's hop rule needs
    /// them; without them a page simply lists the other classes).
    static func goldChains(worldDirectory: String?) -> GoldChains {
        var chains = GoldChains()
        for file in worldDirectory.map(GoldChains.datasetFiles(ofWorld:)) ?? [] { try? chains.read(file) }
        return chains
    }

    /// Another sample of the same group and step: preferably one with the other outcome
    /// (the informative contrast), else the next sample.
    func sibling(of row: TrajectoryRow, runID: Int64) throws -> Int64? {
        try store.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT id FROM trajectory
                WHERE run_id = ? AND group_id = ? AND step = ? AND id != ?
                ORDER BY (exact_match = ?) , sample_index LIMIT 1
                """, arguments: [runID, row.groupID, row.step, row.id, row.exactMatch ? 1 : 0])
        }
    }
}
