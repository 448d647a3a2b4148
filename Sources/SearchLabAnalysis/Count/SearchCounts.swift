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

    /// The SQL expression of the group key over `trajectory t`.
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
        if grouping != .turn { return try trajectoryTable(store: store, runs: runs, by: grouping) }
        let ids = runs.map { $0.id! }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let columns = turnColumns
        let from = "turn u JOIN trajectory t ON t.id = u.trajectory_id"
        let sql = """
            SELECT t.run_id, \(grouping.keyExpression) AS key, \(columns.map(\.sql).joined(separator: ", "))
            FROM \(from) WHERE t.run_id IN (\(placeholders))
            GROUP BY t.run_id, key ORDER BY t.run_id, key
            """
        let names = Dictionary(uniqueKeysWithValues: runs.map { ($0.id!, $0.name) })
        let order = Dictionary(uniqueKeysWithValues: runs.enumerated().map { ($1.id!, $0) })
        let fetched: [(order: Int, cells: [TableValue])] = try store.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(ids)).map { row in
                let runID: Int64 = row[0]
                let key = value((row[1] as DatabaseValue))
                var cells: [TableValue] = grouping == .run ? [.text(names[runID]!)] : [.text(names[runID]!), key]
                for (index, column) in columns.enumerated() {
                    let cell = (row[index + 2] as DatabaseValue)
                    cells.append(column.integer ? value(cell) : real(cell))
                }
                return (order[runID]!, cells)
            }
        }
        // Runs in the order asked for (SQL already orders the groups within a run).
        let rows = fetched.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
            .map(\.element.cells)
        var header = grouping == .run ? ["run"] : ["run", grouping.rawValue]
        header += columns.map(\.name)
        return ResultTable(columns: header, rows: rows)
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
