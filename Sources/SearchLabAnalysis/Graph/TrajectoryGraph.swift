// One trajectory as a chain: question → think → search (query) → documents → … → answer.
import SearchLabCore
import SearchLabStore

/// Colours shared by the graphs.
enum GraphColors {
    static let think = "#e8eefc"
    static let search = "#fff4cc"
    static let document = "#ffffff"
    static let gold = "#ffd700"
    static let invalid = "#dddddd"
    static let correct = "#b7e4b0"
    static let wrong = "#f4b6b6"

    /// Red (0) to green (1), clamped: the colour of a reward.
    static func reward(_ value: Double) -> String {
        let t = min(max(value, 0), 1)
        let from = (0xf4, 0xb6, 0xb6), to = (0xb7, 0xe4, 0xb0)
        func mix(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return "#" + [mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2)]
            .map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// Builds the graphs `searchlab graph` draws.
public enum GraphBuilder {
    /// The reasoning-search chain of one trajectory. Documents that contain a golden answer
    /// (normalised, as Search-R1's retrieval check) are highlighted in gold.
    public static func trajectory(_ stored: StoredTrajectory) -> DotGraph {
        let t = stored.trajectory
        var graph = DotGraph(name: "trajectory", graph: [("rankdir", "TB"), ("label", stored.publicID), ("labelloc", "t")],
                             node: [("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "white")])
        let goldens = t.question.goldenAnswers.map(AnswerMatching.normalize).filter { !$0.isEmpty }
        var previous = graph.addNode([("label", "Q: " + DotGraph.wrap(t.question.text, width: 48, maxLines: 3)
                                        + (goldens.isEmpty ? "" : "\ngolden: " + DotGraph.wrap(t.question.goldenAnswers.joined(separator: " | "), width: 48, maxLines: 2))),
                                       ("shape", "note"), ("fillcolor", "#f5f5f5")])
        for turn in t.turns {
            if let think = TrajectoryDiff.think(turn.text) {
                let node = graph.addNode([("label", "T\(turn.index) think\n" + DotGraph.wrap(think)), ("fillcolor", GraphColors.think)])
                graph.addEdge(previous, node)
                previous = node
            }
            let node = actionNode(&graph, turn: turn, outcome: t.outcome)
            graph.addEdge(previous, node)
            previous = node
            for document in turn.observation?.documents ?? [] {
                let gold = goldens.contains { PythonText.contains(AnswerMatching.normalize(document.title + " " + document.text), $0) }
                let doc = graph.addNode([
                    ("label", "Doc \(document.rank): " + DotGraph.wrap(document.title, width: 30, maxLines: 2) + (gold ? "\n(contains answer)" : "")),
                    ("shape", "folder"), ("fillcolor", gold ? GraphColors.gold : GraphColors.document)])
                graph.addEdge(node, doc, [("style", "dashed"), ("arrowhead", "none")])
            }
        }
        if t.outcome.status == .cutOff {
            let end = graph.addNode([("label", "cut off: no answer\nreward \(score(t.outcome.reward))"),
                                     ("shape", "octagon"), ("fillcolor", GraphColors.wrong)])
            graph.addEdge(previous, end)
        }
        return graph
    }

    static func actionNode(_ graph: inout DotGraph, turn: Turn, outcome: Outcome) -> String {
        switch turn.action.kind {
        case .search:
            return graph.addNode([("label", "T\(turn.index) search\n" + DotGraph.wrap(turn.action.content ?? "")),
                                  ("fillcolor", GraphColors.search)])
        case .answer:
            let right = outcome.exactMatch
            return graph.addNode([
                ("label", "T\(turn.index) answer\n" + DotGraph.wrap(turn.action.content ?? "")
                    + "\n\(right ? "correct" : "incorrect") · reward \(score(outcome.reward))"),
                ("shape", "doubleoctagon"), ("fillcolor", right ? GraphColors.correct : GraphColors.wrong)])
        case .invalid:
            return graph.addNode([("label", "T\(turn.index) invalid action\n" + DotGraph.wrap(turn.text, maxLines: 2)),
                                  ("fillcolor", GraphColors.invalid)])
        }
    }
}
