// The trajectory-level counts in one aggregate scan: SQL groups by (run, key, number of
// searches), which also gives the searches histogram, and Swift merges those partial
// sums into one row per (run, key).
import GRDB
import SearchLabCore
import SearchLabStore

extension SearchCounts {
    /// How a column's partial aggregates merge.
    enum Merge { case count, mean, sum, max, min }

    /// Trajectory-level columns, and the Search-R1 metric names (`compute_data_metrics`)
    /// whose values they reproduce, so a real run's logs can be checked.
    static let trajectoryColumns: [(name: String, expression: String, merge: Merge)] = [
        ("trajectories", "1", .count),
        ("em", "t.exact_match", .mean),
        ("reward_mean", "t.reward", .mean),
        ("search_actions_mean", "t.search_actions", .mean),
        ("invalid_actions_mean", "t.invalid_actions", .mean),
        ("repeated_queries", "t.repeated_queries", .sum),
        ("searches_after_hit", "t.searches_after_hit", .sum),
        ("retrieved_not_answered", "t.answer_retrieved = 1 AND t.exact_match = 0", .sum),
        ("env/number_of_actions/mean", "t.turn_count", .mean),
        ("env/number_of_actions/max", "t.turn_count", .max),
        ("env/number_of_actions/min", "t.turn_count", .min),
        ("env/finish_ratio", "t.status = 'finished'", .mean),
        ("env/number_of_valid_action", "t.valid_action_count", .mean),
        ("env/ratio_of_valid_action", "CAST(t.valid_action_count AS REAL) / MAX(t.turn_count, 1)", .mean),
        ("env/number_of_valid_search", "t.search_count", .mean),
    ]

    /// One (run, key) row being merged from its per-search-count parts.
    struct Partial {
        var runID: Int64
        var key: TableValue
        var values: [Double]
        var histogram: [(value: Int64, count: Int64)] = []
    }

    static func trajectoryTable(store: RunStore, runs: [RunRecord], by grouping: CountGrouping) throws -> ResultTable {
        let ids = runs.map { $0.id! }
        let aggregates = trajectoryColumns.map { column -> String in
            switch column.merge {
            case .count: return "COUNT(*)"
            case .mean, .sum: return "TOTAL(\(column.expression))"
            case .max: return "MAX(\(column.expression))"
            case .min: return "MIN(\(column.expression))"
            }
        }
        let sql = """
            SELECT t.run_id, \(grouping.keyExpression) AS key, t.search_count, \(aggregates.joined(separator: ", "))
            FROM trajectory t WHERE t.run_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))
            GROUP BY t.run_id, key, t.search_count ORDER BY t.run_id, key, t.search_count
            """
        var partials: [Partial] = []
        try store.read { db in
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(ids))
            while let row = try cursor.next() {
                let runID: Int64 = row[0]
                let key = value(row[1] as DatabaseValue)
                let values = trajectoryColumns.indices.map { (row[$0 + 3] as Double?) ?? 0 }
                if let last = partials.last, last.runID == runID, last.key.plain == key.plain {
                    partials[partials.count - 1].values = zip(trajectoryColumns, zip(last.values, values)).map { column, pair in
                        merge(column.merge, pair.0, pair.1)
                    }
                } else {
                    partials.append(Partial(runID: runID, key: key, values: values))
                }
                partials[partials.count - 1].histogram.append((row[2], Int64(values[0])))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: runs.enumerated().map { ($1.id!, $0) })
        let names = Dictionary(uniqueKeysWithValues: runs.map { ($0.id!, $0.name) })
        let rows = partials.enumerated().sorted { (order[$0.element.runID]!, $0.offset) < (order[$1.element.runID]!, $1.offset) }
            .map { cells($0.element, name: names[$0.element.runID]!, withKey: grouping != .run) }
        var header = grouping == .run ? ["run"] : ["run", grouping.rawValue]
        for column in trajectoryColumns {
            header.append(column.name)
            if column.name == "search_actions_mean" { header.append("searches_distribution") }
        }
        return ResultTable(columns: header, rows: rows)
    }

    static func merge(_ kind: Merge, _ a: Double, _ b: Double) -> Double {
        switch kind {
        case .count, .mean, .sum: return a + b
        case .max: return Swift.max(a, b)
        case .min: return Swift.min(a, b)
        }
    }

    static func cells(_ partial: Partial, name: String, withKey: Bool) -> [TableValue] {
        var cells: [TableValue] = withKey ? [.text(name), partial.key] : [.text(name)]
        let n = partial.values[0]
        for (column, total) in zip(trajectoryColumns, partial.values) {
            cells.append(column.merge == .mean ? .real(total / n) : .integer(Int64(total)))
            if column.name == "search_actions_mean" { cells.append(.histogram(partial.histogram)) }
        }
        return cells
    }
}
