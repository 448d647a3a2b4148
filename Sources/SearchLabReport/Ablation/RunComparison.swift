// Comparing runs: the final value of each headline metric, runs that differ only in their
// seed pooled into one cell, reported as mean ± 95% interval with the best cell marked.
import Foundation
import GRDB
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

/// A run's config and the last logged value of each of its metrics.
public struct RunSummary: Sendable {
    public var name: String
    /// The stored config (verl's dotted keys → values).
    public var config: [String: JSONValue]
    /// Each metric's value at the last step that logged it.
    public var finalMetrics: [String: Double]
    /// The last step with any metric (`nil` for a run without metrics).
    public var lastStep: Int?

    /// Reads the named runs from a database, in the order given.
    /// - Throws: ``SearchLabError`` naming a run the database does not hold.
    public static func load(_ names: [String], from store: RunStore) throws -> [RunSummary] {
        try store.read { db in
            try names.map { name in
                guard let row = try Row.fetchOne(db, sql: "SELECT id, config_json FROM run WHERE name = ?", arguments: [name]) else {
                    throw SearchLabError("no run \(name) in \(store.path)")
                }
                let id: Int64 = row["id"]
                let config = try JSONValue.parse(Data((row["config_json"] as String).utf8))
                guard case .object(let fields) = config else { throw SearchLabError("run \(name): its config is not a JSON object") }
                var metrics: [String: Double] = [:]
                let sql = """
                    SELECT m.name, m.value FROM metric m
                    WHERE m.run_id = ? AND m.step = (SELECT MAX(step) FROM metric WHERE run_id = m.run_id AND name = m.name)
                    """
                for r in try Row.fetchAll(db, sql: sql, arguments: [id]) { metrics[r["name"]] = r["value"] }
                let last = try Int.fetchOne(db, sql: "SELECT MAX(step) FROM metric WHERE run_id = ?", arguments: [id])
                return RunSummary(name: name, config: fields, finalMetrics: metrics, lastStep: last)
            }
        }
    }

    /// Every run name in the database, oldest first.
    public static func names(in store: RunStore) throws -> [String] {
        try store.read { try String.fetchAll($0, sql: "SELECT name FROM run ORDER BY created_order") }
    }

    /// The config without the seed: runs with equal keys belong to one cell.
    var cellKey: String {
        var c = config
        c.removeValue(forKey: "trainer.seed")
        return (try? CanonicalJSON.string(c)) ?? ""
    }
}

/// The comparison table of `searchlab ablate` and `searchlab compare`.
public struct RunComparison: Sendable {
    /// One cell: runs that differ only in their seed.
    public struct Cell: Sendable {
        public var label: String
        public var runs: [RunSummary]
        func interval(_ metric: String) -> MeanInterval? { MeanInterval(runs.compactMap { $0.finalMetrics[metric] }) }
    }

    public var cells: [Cell]
    /// The metric that picks the best cell (highest mean).
    public var primaryMetric: String
    /// Runs left out because an earlier run of the same cell has the same seed: a repeat of a
    /// deterministic run is not an independent sample.
    public var repeats: [String] = []

    /// Groups runs into cells in order of first appearance.
    /// - Parameter labels: a cell label per run name (e.g. a grid's variant labels); runs
    ///   without one are labelled by the config keys that vary between cells.
    public init(_ runs: [RunSummary], labels: [String: String] = [:], primaryMetric: String = "val/em") {
        var order: [String] = [], groups: [String: [RunSummary]] = [:], repeats: [String] = []
        for run in runs {
            if groups[run.cellKey] == nil { order.append(run.cellKey) }
            if groups[run.cellKey, default: []].contains(where: { $0.config["trainer.seed"] == run.config["trainer.seed"] }) {
                repeats.append(run.name)
                continue
            }
            groups[run.cellKey, default: []].append(run)
        }
        let grouped = order.map { groups[$0]! }
        let varying = Self.varyingKeys(grouped.map { $0[0].config })
        let short = Self.shortNames(varying)
        cells = grouped.map { runs in
            let label = labels[runs[0].name] ?? varying.map { key in
                "\(short[key]!)=\(runs[0].config[key].map(Self.text) ?? "-")"
            }.joined(separator: " ")
            return Cell(label: label.isEmpty ? runs[0].name : label, runs: runs)
        }
        self.primaryMetric = primaryMetric
        self.repeats = repeats
    }

    /// The last component of each dotted key, or the whole key where two would look alike
    /// (`actor_rollout_ref.actor.optim.lr` and `critic.optim.lr`).
    public static func shortNames(_ keys: [String]) -> [String: String] {
        let last = keys.map { String($0.split(separator: ".").last ?? "") }
        return Dictionary(uniqueKeysWithValues: zip(keys, last).map { key, name in
            (key, last.filter { $0 == name }.count > 1 ? key : name)
        })
    }

    /// Keys whose values differ between cells (the seed aside), sorted.
    static func varyingKeys(_ configs: [[String: JSONValue]]) -> [String] {
        let keys = Set(configs.flatMap(\.keys)).subtracting(["trainer.seed"])
        return keys.sorted().filter { key in Set(configs.map { $0[key].map(text) ?? "-" }).count > 1 }
    }

    static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return (try? CanonicalJSON.string(value)) ?? "?"
    }

    /// The headline columns: test EM overall and per data source, reward, searches.
    public var metrics: [(column: String, metric: String)] {
        let all = Set(cells.flatMap { $0.runs.flatMap(\.finalMetrics.keys) })
        let sources = all.filter { $0.hasPrefix("val/em/") }.sorted()
        return [("test EM", "val/em")] + sources.map { ("EM " + $0.dropFirst(7), $0) }
            + [("reward", "reward/mean"), ("searches/traj", "env/number_of_valid_search")]
    }

    /// The index of the cell with the highest mean primary metric (first on ties).
    public var bestCell: Int? {
        var best: (index: Int, mean: Double)?
        for (i, cell) in cells.enumerated() {
            guard let m = cell.interval(primaryMetric)?.mean else { continue }
            if best == nil || m > best!.mean { best = (i, m) }
        }
        return best?.index
    }

    /// The table: one row per cell, `*` marks the best; values are `mean ± half-width`.
    public func table() -> ResultTable {
        let columns = metrics, best = bestCell
        let rows: [[TableValue]] = cells.enumerated().map { i, cell in
            [.text(i == best ? "*" : ""), .text(cell.label), .integer(Int64(cell.runs.count))]
                + columns.map { cell.interval($0.metric).map { .text($0.text) } ?? .missing }
        }
        return ResultTable(columns: ["best", "cell", "seeds"] + columns.map(\.column), rows: rows)
    }

    /// A note under the table saying what the numbers are.
    public var legend: String {
        var text = "mean ± 95% interval (Student t, n−1 degrees of freedom) over seeds of each run's last logged value; "
            + "* = highest mean \(primaryMetric)"
        if !repeats.isEmpty {
            text += "\nleft out (same config and seed as a run already counted): \(repeats.joined(separator: ", "))"
        }
        return text
    }
}
