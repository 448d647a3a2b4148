// `searchlab count`: search behaviour per run and group, as aggregate SQL over the narrow
// `trajectory` rows (per-trajectory counts were computed at write time).
import GRDB
import SearchLabCore
import SearchLabStore

/// What rows `count` groups by.
public enum CountGrouping: String, Sendable, CaseIterable {
    case run, step
    case dataSource = "data-source"
    case hops, outcome, turn

    /// The SQL expression of the group key over `trajectory t` (and `turn u` for `.turn`).
    var keyExpression: String {
        switch self {
        case .run: return "'all'"
        case .step: return "t.step"
        case .dataSource: return "t.data_source"
        case .hops: return "t.hops"
        case .outcome:
            return "CASE WHEN t.exact_match = 1 THEN 'correct' WHEN t.extracted_answer IS NULL THEN 'no_answer' ELSE 'wrong' END"
        case .turn: return "u.turn_index"
        }
    }
}

/// Search-call statistics of stored trajectories.
public enum SearchCounts {
    static let turnColumns: [(name: String, sql: String, integer: Bool)] = [
        ("trajectories", "COUNT(*)", true),
        ("search", "SUM(u.action_kind = 'search')", true),
        ("answer", "SUM(u.action_kind = 'answer')", true),
        ("invalid", "SUM(u.action_kind = 'invalid')", true),
        ("information", "SUM(COALESCE(u.observation_kind, '') = 'information')", true),
        ("em_of_answers", "AVG(CASE WHEN u.action_kind = 'answer' THEN t.exact_match END)", false),
    ]

    /// Counts for `runs` (all runs when empty), one row per run and group.
    /// - Throws: ``SearchLabError`` for unknown runs or an empty database.
    public static func table(store: RunStore, runs names: [String], by grouping: CountGrouping) throws -> ResultTable {
        let runs = try names.isEmpty ? store.runs() : names.map { try store.run(named: $0) }
        if runs.isEmpty { try store.read { try store.requireRuns($0) } }
        return grouping == .turn ? try turnTable(store: store, runs: runs) : try trajectoryTable(store: store, runs: runs, by: grouping)
    }

    /// Actions per turn index: how many trajectories reach each turn and what they do there.
    static func turnTable(store: RunStore, runs: [RunRecord]) throws -> ResultTable {
        var rows: [[TableValue]] = []
        // One query per run keeps the rows in the order the runs were asked for.
        for run in runs {
            let sql = """
                SELECT u.turn_index, \(turnColumns.map(\.sql).joined(separator: ", "))
                FROM turn u JOIN trajectory t ON t.id = u.trajectory_id WHERE t.run_id = ?
                GROUP BY u.turn_index ORDER BY u.turn_index
                """
            rows += try store.read { db in
                try Row.fetchAll(db, sql: sql, arguments: [run.id]).map { row in
                    var cells: [TableValue] = [.text(run.name), value(row[0] as DatabaseValue)]
                    for (index, column) in turnColumns.enumerated() {
                        let cell = row[index + 1] as DatabaseValue
                        cells.append(column.integer ? value(cell) : real(cell))
                    }
                    return cells
                }
            }
        }
        return ResultTable(columns: ["run", "turn"] + turnColumns.map(\.name), rows: rows)
    }

    static func value(_ value: DatabaseValue) -> TableValue {
        switch value.storage {
        case .null: return .missing
        case .int64(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .string(let s): return .text(s.isEmpty ? "(none)" : s)
        case .blob: return .missing
        }
    }

    static func real(_ value: DatabaseValue) -> TableValue {
        switch value.storage {
        case .int64(let i): return .real(Double(i))
        case .double(let d): return .real(d)
        default: return .missing
        }
    }
}
