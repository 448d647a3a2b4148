// What the notebook and the HTML report show of a run, read once from the run database.
import Foundation
import GRDB
import SearchLabCore
import SearchLabStore

/// A run's record, its metric curves and its config.
public struct RunData: Sendable {
    /// The run's row (name, source, seed, code version).
    public var record: RunRecord
    /// Metric name → (step, value) in step order.
    public var curves: [String: [(step: Int, value: Double)]]
    /// Config key → value text, sorted by key.
    public var config: [(key: String, value: String)]

    /// Reads run `name`.
    /// - Throws: ``SearchLabError`` listing the runs when there is no such run.
    public static func load(_ name: String, from store: RunStore) throws -> RunData {
        let record = try store.run(named: name)
        let curves = try store.read { db in
            var curves: [String: [(step: Int, value: Double)]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT step, name, value FROM metric WHERE run_id = ? ORDER BY name, step",
                                           arguments: [record.id])
            while let row = try rows.next() { curves[row["name"], default: []].append((row["step"], row["value"])) }
            return curves
        }
        var config: [(String, String)] = []
        if case .object(let fields)? = try? JSONValue.parse(Data(record.configJSON.utf8)) {
            config = fields.keys.sorted().map { key in
                let value = fields[key]!
                if case .string(let s) = value { return (key, s) }
                return (key, (try? CanonicalJSON.string(value)) ?? "?")
            }
        }
        return RunData(record: record, curves: curves, config: config)
    }

    /// Metric names starting with `prefix`, sorted.
    public func metrics(prefix: String) -> [String] { curves.keys.filter { $0.hasPrefix(prefix) }.sorted() }

    /// `metric` of the untouched policy: its step-0 value when the run validated before
    /// training (`trainer.val_before_train`, stored with step 0 before the first update).
    public func valueBeforeTraining(_ metric: String) -> Double? {
        guard config.contains(where: { $0.key == "trainer.val_before_train" && $0.value == "true" }),
              let first = curves[metric]?.first, first.step == 0 else { return nil }
        return first.value
    }

    /// The number of steps with metrics.
    public var stepCount: Int { Set(curves.values.flatMap { $0.map(\.step) }).count }

    /// One plot series per metric that exists.
    public func series(_ metrics: [String], label: (String) -> String = { $0 }) -> [PlotSeries] {
        metrics.compactMap { m in curves[m].map { PlotSeries(name: label(m), points: $0.map { (Double($0.step), $0.value) }) } }
    }
}

/// A trajectory row for tables and lists (no text that is not needed).
public struct TrajectoryRow: Sendable, Hashable {
    /// The store id.
    public var id: Int64
    /// `run:step:question:sample`.
    public var publicID: String
    public var step: Int
    public var dataSource: String
    public var questionID: String
    public var groupID: String
    public var sampleIndex: Int
    public var question: String
    public var extractedAnswer: String?
    /// The golden answers as stored (a JSON list).
    public var goldenAnswers: String
    /// Searches answered with information.
    public var searches: Int
    public var exactMatch: Bool
    public var reward: Double
    public var status: String

    /// Trajectories of run `runID`: the failing ones of its last step (`failingOnly`), or all
    /// of its last `steps` steps; in (step, question, sample) order, at most `limit`.
    public static func load(runID: Int64, runName: String, from store: RunStore, lastSteps steps: Int = 1,
                            failingOnly: Bool, limit: Int) throws -> [TrajectoryRow] {
        try store.read { db in
            let sql = """
                SELECT id, step, data_source, question_id, group_id, sample_index, question, extracted_answer,
                       golden_answers_json, search_count, exact_match, reward, status
                FROM trajectory
                WHERE run_id = ? AND step > (SELECT MAX(step) FROM trajectory WHERE run_id = ?) - ?
                  AND (? = 0 OR exact_match = 0)
                ORDER BY step, question_id, sample_index LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: [runID, runID, steps, failingOnly ? 1 : 0, limit]).map { r in
                let step: Int = r["step"], question: String = r["question_id"], sample: Int = r["sample_index"]
                return TrajectoryRow(id: r["id"], publicID: "\(runName):\(step):\(question):\(sample)", step: step,
                                     dataSource: r["data_source"], questionID: question, groupID: r["group_id"], sampleIndex: sample,
                                     question: r["question"], extractedAnswer: r["extracted_answer"],
                                     goldenAnswers: r["golden_answers_json"], searches: r["search_count"],
                                     exactMatch: (r["exact_match"] as Int) != 0, reward: r["reward"], status: r["status"])
            }
        }
    }

    /// A file name for this trajectory's graph: the store id keeps it short and safe.
    public var graphFile: String { "trajectory-\(id).svg" }
}
