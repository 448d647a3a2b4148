// A run (or one step of it) as a state machine of actions: start → search / answer /
// invalid → … → correct / wrong / cut off, edges labelled with counts and rates.
import GRDB
import SearchLabCore
import SearchLabStore

extension GraphBuilder {
    /// A counted transition between two states.
    public struct Transition: Hashable, Sendable {
        public var from: String
        public var to: String
        public var count: Int
    }

    /// Transitions of all trajectories of `run` (at `step` when given), by SQL over `turn`.
    public static func transitions(store: RunStore, run: String, step: Int?) throws -> [Transition] {
        let record = try store.run(named: run)
        let stepFilter = step == nil ? "" : " AND t.step = ?"
        var arguments: [any DatabaseValueConvertible] = [record.id!]
        if let step { arguments.append(step) }
        return try store.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trajectory t WHERE t.run_id = ?\(stepFilter)",
                                         arguments: StatementArguments(arguments)) ?? 0
            if count == 0 { throw SearchLabError("run \(run) has no trajectories\(step.map { " at step \($0)" } ?? "")") }
            let moves = try Row.fetchAll(db, sql: """
                SELECT COALESCE(p.action_kind, 'start'), u.action_kind, COUNT(*)
                FROM trajectory t JOIN turn u ON u.trajectory_id = t.id
                LEFT JOIN turn p ON p.trajectory_id = u.trajectory_id AND p.turn_index = u.turn_index - 1
                WHERE t.run_id = ?\(stepFilter) GROUP BY 1, 2 ORDER BY 1, 2
                """, arguments: StatementArguments(arguments))
            let endings = try Row.fetchAll(db, sql: """
                SELECT COALESCE(u.action_kind, 'start'),
                  CASE WHEN t.status = 'cut_off' THEN 'cut off' WHEN t.exact_match = 1 THEN 'correct' ELSE 'wrong' END,
                  COUNT(*)
                FROM trajectory t LEFT JOIN turn u ON u.trajectory_id = t.id AND u.turn_index = t.turn_count - 1
                WHERE t.run_id = ?\(stepFilter) GROUP BY 1, 2 ORDER BY 1, 2
                """, arguments: StatementArguments(arguments))
            return (moves + endings).map { Transition(from: $0[0], to: $0[1], count: $0[2]) }
        }
    }

    /// The state machine drawn from `transitions`; each edge shows its count and its share
    /// of the transitions leaving its source.
    public static func stateMachine(_ transitions: [Transition], title: String) -> DotGraph {
        var graph = DotGraph(name: "actions", graph: [("rankdir", "LR"), ("label", title), ("labelloc", "t")],
                             node: [("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "white")])
        let fills = ["start": "#f5f5f5", "search": GraphColors.search, "answer": GraphColors.think,
                     "invalid": GraphColors.invalid, "correct": GraphColors.correct, "wrong": GraphColors.wrong,
                     "cut off": GraphColors.wrong]
        let order = ["start", "search", "invalid", "answer", "correct", "wrong", "cut off"]
        let used = Set(transitions.flatMap { [$0.from, $0.to] })
        var ids: [String: String] = [:]
        for state in order where used.contains(state) {
            let shape = ["correct", "wrong", "cut off"].contains(state) ? "doubleoctagon" : state == "start" ? "circle" : "box"
            ids[state] = graph.addNode([("label", state), ("shape", shape), ("fillcolor", fills[state] ?? "white")])
        }
        var outgoing: [String: Int] = [:]
        for move in transitions { outgoing[move.from, default: 0] += move.count }
        let sorted = transitions.sorted {
            (order.firstIndex(of: $0.from) ?? 99, order.firstIndex(of: $0.to) ?? 99) < (order.firstIndex(of: $1.from) ?? 99, order.firstIndex(of: $1.to) ?? 99)
        }
        for move in sorted {
            guard let from = ids[move.from], let to = ids[move.to] else { continue }
            let rate = Double(move.count) / Double(max(outgoing[move.from] ?? 1, 1))
            graph.addEdge(from, to, [("label", "\(move.count) (\(String(format: "%.1f", rate * 100))%)"),
                                     ("penwidth", String(format: "%.1f", 1 + 3 * rate))])
        }
        return graph
    }
}
