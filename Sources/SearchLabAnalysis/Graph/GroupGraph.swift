// A GRPO group as a prefix tree: the n rollouts of one question merged where their
// actions agree, leaves coloured by reward and labelled with the group-normalised advantage.
import Foundation
import GRDB
import SearchLabCore
import SearchLabStore

extension GraphBuilder {
    /// One node of the prefix tree: an action and the rollouts that took it after the same prefix.
    struct PrefixNode {
        var label: String
        var children: [Int] = []
        var samples: [Int] = []
        /// Rollouts that end at this node.
        var endings: [Int] = []
    }

    /// The prefix tree of a group's rollouts (ordered by sample index).
    public static func group(_ rollouts: [StoredTrajectory]) -> DotGraph {
        let rollouts = rollouts.sorted { ($0.record.sampleIndex, $0.id) < ($1.record.sampleIndex, $1.id) }
        let rewards = rollouts.map(\.trajectory.outcome.reward)
        let advantages = grpoAdvantages(rewards)
        var tree = [PrefixNode(label: "")]
        for (k, rollout) in rollouts.enumerated() {
            var at = 0
            tree[0].samples.append(k)
            for turn in rollout.trajectory.turns {
                let label = actionLabel(turn)
                if let child = tree[at].children.first(where: { tree[$0].label == label }) {
                    at = child
                } else {
                    tree.append(PrefixNode(label: label))
                    tree[at].children.append(tree.count - 1)
                    at = tree.count - 1
                }
                tree[at].samples.append(k)
            }
            tree[at].endings.append(k)
        }
        let first = rollouts.first?.trajectory.question
        let mean = rewards.isEmpty ? 0 : rewards.reduce(0, +) / Double(rewards.count)
        var graph = DotGraph(name: "group", graph: [("rankdir", "LR"), ("labelloc", "t"),
                             ("label", "group \(rollouts.first?.record.groupID ?? "")")],
                             node: [("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "white")])
        var ids = [graph.addNode([
            ("label", "Q: " + DotGraph.wrap(first?.text ?? "", width: 40, maxLines: 3)
                + "\n\(rollouts.count) rollouts · mean reward \(score(mean))"),
            ("shape", "note"), ("fillcolor", "#f5f5f5")])]
        for index in 1..<tree.count {
            ids.append(graph.addNode([("label", tree[index].label), ("fillcolor", fill(tree[index].label))]))
        }
        for (index, node) in tree.enumerated() {
            for child in node.children {
                graph.addEdge(ids[index], ids[child], [("label", "\(tree[child].samples.count)"),
                                                       ("penwidth", String(format: "%.1f", 1 + 2 * Double(tree[child].samples.count) / Double(max(rollouts.count, 1))))])
            }
            for ending in node.endings {
                let reward = rewards[ending]
                let leaf = graph.addNode([
                    ("label", "sample \(rollouts[ending].record.sampleIndex)\nreward \(score(reward))\nadvantage \(String(format: "%+.3f", advantages[ending]))"),
                    ("shape", "ellipse"), ("fillcolor", GraphColors.reward(reward))])
                graph.addEdge(ids[index], leaf, [("style", "dotted")])
            }
        }
        return graph
    }

    /// `search: query`, `answer: text` or `invalid`, with the content lowercased and
    /// stripped so that rollouts asking the same thing share a node.
    static func actionLabel(_ turn: Turn) -> String {
        let content = PythonText.lower(PythonText.strip(turn.action.content ?? ""))
        switch turn.action.kind {
        case .search: return "search\n" + DotGraph.wrap(content, width: 32, maxLines: 3)
        case .answer: return "answer\n" + DotGraph.wrap(content, width: 32, maxLines: 2)
        case .invalid: return "invalid"
        }
    }

    static func fill(_ label: String) -> String {
        label.hasPrefix("search") ? GraphColors.search : label.hasPrefix("answer") ? GraphColors.think : GraphColors.invalid
    }

    /// GRPO's outcome advantage: (r − mean) / (std + 1e-6), with the unbiased standard
    /// deviation (torch.std) as verl's `compute_grpo_outcome_advantage`, which treats a
    /// group of one as mean 0, std 1.
    static func grpoAdvantages(_ rewards: [Double]) -> [Double] {
        guard rewards.count > 1 else { return rewards.map { $0 / (1 + 1e-6) } }
        let mean = rewards.reduce(0, +) / Double(rewards.count)
        let variance = rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rewards.count - 1)
        return rewards.map { ($0 - mean) / (variance.squareRoot() + 1e-6) }
    }
}

extension GraphBuilder {
    /// The rollouts of group `group`, narrowed by run and step; they must come from one
    /// run and step (a group is one question's samples at one step).
    public static func loadGroup(store: RunStore, group: String, run: String?, step: Int?) throws -> [StoredTrajectory] {
        let runID = try run.map { try store.run(named: $0).id! }
        let rows: [(id: Int64, run: String, step: Int)] = try store.read { db in
            try store.requireRuns(db)
            // CROSS JOIN keeps `run` outside: each run's rows of the group are then one
            // search of the (run_id, group_id, step) index, not a scan of every trajectory.
            return try Row.fetchAll(db, sql: """
                SELECT t.id, r.name, t.step FROM run r CROSS JOIN trajectory t ON t.run_id = r.id
                WHERE t.group_id = ? ORDER BY r.created_order, t.step, t.sample_index, t.id
                """, arguments: [group]).map { ($0[0], $0[1], $0[2]) }
                .filter { row in (runID == nil || row.run == run) && (step == nil || row.step == step) }
        }
        guard !rows.isEmpty else {
            throw SearchLabError("no group \"\(group)\"\(run.map { " in run \($0)" } ?? "")\(step.map { " at step \($0)" } ?? ""); group ids are question ids unless the input set group_id")
        }
        let places = rows.map { "\($0.run) step \($0.step)" }
        var distinct: [String] = []
        for place in places where !distinct.contains(place) { distinct.append(place) }
        guard distinct.count == 1 else {
            throw SearchLabError("group \"\(group)\" occurs in \(distinct.count) places (\(distinct.prefix(5).joined(separator: ", "))\(distinct.count > 5 ? ", …" : "")); narrow it with --run and --step")
        }
        return try store.trajectories(ids: rows.map(\.id))
    }
}
