// The scan of a run: every miss classified, then counted per class, per data source, per
// hop count and per step range, each class with example trajectories; with `--oracle`, how
// many of each class perfect retrieval would have fixed.
import Foundation
import SearchLabCore
import SearchLabStore

/// One missed trajectory and its classes.
public struct ScanRow: Codable, Sendable {
    public var trajectory: String
    public var storeID: Int64
    public var step: Int
    public var dataSource: String
    /// Hops of its gold chain, when known.
    public var hops: Int?
    public var findings: [ScanFinding]
    /// With `--oracle`: whether the oracle's documents led the same policy to the right answer
    /// (nil: not replayed, or it could not be).
    public var oracleFixed: Bool?

    enum CodingKeys: String, CodingKey {
        case trajectory, step, hops, findings
        case storeID = "store_id"
        case dataSource = "data_source"
        case oracleFixed = "oracle_fixed"
    }
}

/// One class across the run.
public struct ClassSummary: Codable, Sendable {
    public var failureClass: FailureClass
    public var count: Int
    /// Of the misses.
    public var share: Double
    /// The first few trajectories of the class, as `run:step:question:sample`.
    public var examples: [String]
    /// With `--oracle`: of this class's replayed trajectories, how many the oracle fixed.
    public var oracleFixed: Int?
    public var oracleReplayed: Int?

    enum CodingKeys: String, CodingKey {
        case count, share, examples
        case failureClass = "class"
        case oracleFixed = "oracle_fixed"
        case oracleReplayed = "oracle_replayed"
    }
}

/// The misses of one group (a data source, a hop count, a step range) by class.
public struct GroupSummary: Codable, Sendable {
    public var group: String
    public var trajectories: Int
    public var missed: Int
    /// Class name → count, for the classes present.
    public var classes: [String: Int]
}

public struct ScanReport: Codable, Sendable {
    public static let examplesPerClass = 3

    public var run: String
    public var trajectories: Int
    public var missed: Int
    /// The dataset files gold chains came from (empty: `hop_skipped` was not checked).
    public var chainSources: [String]
    public var classes: [ClassSummary]
    public var bySource: [GroupSummary]
    public var byHops: [GroupSummary]
    public var byStepRange: [GroupSummary]
    /// With `--oracle`: the engine replayed against.
    public var oracleEngine: String?
    public var rows: [ScanRow]

    enum CodingKeys: String, CodingKey {
        case run, trajectories, missed, classes, rows
        case chainSources = "chain_sources"
        case bySource = "by_source"
        case byHops = "by_hops"
        case byStepRange = "by_step_range"
        case oracleEngine = "oracle_engine"
    }

    /// Classifies every missed trajectory of `run` (all of them: `scan` reads, it does not replay).
    /// - Parameter stepRanges: how many equal ranges the run's steps are cut into.
    public static func scan(_ run: RunRecord, store: RunStore, chains: GoldChains, stepRanges: Int) throws -> ScanReport {
        let all = try store.trajectoryOutcomes(runID: run.id!)
        let missedIDs = all.filter { !$0.exactMatch }.map(\.id)
        let stored = try store.trajectories(ids: missedIDs)
        let rows = stored.map { item in
            let chain = chains[item.trajectory.question.id]
            return ScanRow(trajectory: item.publicID, storeID: item.id, step: item.record.step,
                           dataSource: item.trajectory.question.dataSource, hops: chain?.count ?? item.record.hops,
                           findings: FailureScanner.classify(item.trajectory, chain: chain))
        }
        var report = ScanReport(run: run.name, trajectories: all.count, missed: rows.count, chainSources: chains.sources,
                                classes: [], bySource: [], byHops: [], byStepRange: [], rows: rows)
        report.summarise(all: all, chains: chains, stepRanges: stepRanges)
        return report
    }

    /// Records which replayed trajectories the oracle fixed, and recounts.
    public mutating func attachOracle(engine: String, fixed: [Int64: Bool]) {
        oracleEngine = engine
        for i in rows.indices { rows[i].oracleFixed = fixed[rows[i].storeID] }
        classes = classes.map { summary in
            var summary = summary
            let members = rows.filter { row in row.findings.contains { $0.failureClass == summary.failureClass } }
            summary.oracleReplayed = members.filter { $0.oracleFixed != nil }.count
            summary.oracleFixed = members.filter { $0.oracleFixed == true }.count
            return summary
        }
    }

    mutating func summarise(all: [TrajectoryOutcome], chains: GoldChains, stepRanges: Int) {
        classes = FailureClass.allCases.map { failureClass in
            let members = rows.filter { row in row.findings.contains { $0.failureClass == failureClass } }
            return ClassSummary(failureClass: failureClass, count: members.count,
                                share: missed == 0 ? 0 : Double(members.count) / Double(missed),
                                examples: members.prefix(Self.examplesPerClass).map(\.trajectory))
        }
        bySource = Self.groups(all: all, rows: rows) { $0.dataSource }
        if all.contains(where: { chains[$0.questionID] != nil || $0.hops != nil }) {
            byHops = Self.groups(all: all, rows: rows) { outcome in
                (chains[outcome.questionID]?.count ?? outcome.hops).map { "\($0) hop\($0 == 1 ? "" : "s")" } ?? "unknown"
            }
        }
        let steps = all.map(\.step)
        if let first = steps.min(), let last = steps.max() {
            let width = max(1, (last - first + stepRanges) / stepRanges)
            byStepRange = Self.groups(all: all, rows: rows) { outcome in
                let start = first + (outcome.step - first) / width * width
                let end = min(last, start + width - 1)
                return start == end ? "step \(start)" : "steps \(start)–\(end)"
            }
            // Numeric order, not text order.
            byStepRange.sort { Self.firstNumber($0.group) < Self.firstNumber($1.group) }
        }
    }

    /// Groups every trajectory by `key`; counts misses and their classes per group.
    static func groups(all: [TrajectoryOutcome], rows: [ScanRow], key: (TrajectoryOutcome) -> String) -> [GroupSummary] {
        let rowByID = Dictionary(uniqueKeysWithValues: rows.map { ($0.storeID, $0) })
        var groups: [String: GroupSummary] = [:]
        for outcome in all {
            let name = key(outcome)
            var group = groups[name] ?? GroupSummary(group: name, trajectories: 0, missed: 0, classes: [:])
            group.trajectories += 1
            if let row = rowByID[outcome.id] {
                group.missed += 1
                for finding in row.findings { group.classes[finding.failureClass.rawValue, default: 0] += 1 }
            }
            groups[name] = group
        }
        return groups.values.sorted { $0.group < $1.group }
    }

    static func firstNumber(_ text: String) -> Int {
        Int(text.split(whereSeparator: { !$0.isNumber }).first ?? "") ?? 0
    }
}

extension ScanReport {
    /// The report for people: the classes, then each grouping, one group a line.
    public func text() -> String {
        func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        var lines = ["scan of run \(run): \(missed) of \(trajectories) trajectories missed"
                     + (trajectories == 0 ? "" : " (\(percent(Double(missed) / Double(trajectories))))")]
        lines.append(chainSources.isEmpty
            ? "gold chains: none (hop_skipped not checked; pass --dataset FILE or --world DIR)"
            : "gold chains: " + chainSources.joined(separator: ", "))
        if let oracleEngine { lines.append("oracle what-if: \(oracleEngine)") }
        let width = FailureClass.allCases.map(\.rawValue.count).max()!
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func padLeft(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        lines.append(pad("class", width) + "  count   share" + (oracleEngine == nil ? "" : "  oracle fixed  ") + "  examples")
        for summary in classes {
            var line = pad(summary.failureClass.rawValue, width) + "  " + padLeft(String(summary.count), 5) + "  " + padLeft(percent(summary.share), 6)
            if oracleEngine != nil {
                let fixed = summary.oracleReplayed.map { $0 == 0 ? "-" : "\(summary.oracleFixed ?? 0)/\($0)" } ?? "-"
                line += "  " + pad(fixed, 12)
            }
            lines.append(line + "  " + summary.examples.joined(separator: ", "))
        }
        for (title, groups) in [("by data source", bySource), ("by hops", byHops), ("by step range", byStepRange)] where !groups.isEmpty {
            lines.append(title + ":")
            for group in groups {
                let classes = FailureClass.allCases.compactMap { c in group.classes[c.rawValue].map { "\(c.rawValue) \($0)" } }
                lines.append("  \(group.group): missed \(group.missed) of \(group.trajectories)"
                             + (classes.isEmpty ? "" : "; " + classes.joined(separator: ", ")))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
