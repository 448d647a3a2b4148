// Per-trajectory numbers the analysis queries group by, computed once at write time so
// `count` is a plain aggregate over narrow rows.
import SearchLabCore

/// Counts derived from one trajectory's turns (stored as columns of `trajectory`).
public struct TrajectoryStats: Hashable, Sendable {
    public var turnCount: Int
    public var searchActions: Int
    public var invalidActions: Int
    public var repeatedQueries: Int
    /// First turn whose information block contains a golden answer (normalised).
    public var firstHitTurn: Int?
    public var searchesAfterHit: Int
    public var hops: Int?

    public init(_ trajectory: Trajectory) {
        let turns = trajectory.turns
        turnCount = turns.count
        searchActions = turns.filter { $0.action.kind == .search }.count
        invalidActions = turns.filter { $0.action.kind == .invalid }.count
        repeatedQueries = Self.repeats(in: turns)
        firstHitTurn = Self.firstHit(turns, goldens: trajectory.question.goldenAnswers)
        if let hit = firstHitTurn {
            searchesAfterHit = turns.filter { $0.index > hit && $0.action.kind == .search }.count
        } else {
            searchesAfterHit = 0
        }
        hops = Self.hops(dataSource: trajectory.question.dataSource)
    }

    /// Searches whose query, stripped and lowercased, was already asked in this trajectory.
    static func repeats(in turns: [Turn]) -> Int {
        var seen = Set<String>()
        var repeated = 0
        for turn in turns where turn.action.kind == .search {
            let query = PythonText.lower(PythonText.strip(turn.action.content ?? ""))
            if !seen.insert(query).inserted { repeated += 1 }
        }
        return repeated
    }

    /// The first turn whose information block holds a golden answer — Search-R1's
    /// `is_retrieval_correct` test applied per block, without its format gate.
    static func firstHit(_ turns: [Turn], goldens: [String]) -> Int? {
        let golds = goldens.map(AnswerMatching.normalize).filter { !$0.isEmpty }
        guard !golds.isEmpty else { return nil }
        for turn in turns {
            guard let observation = turn.observation, observation.kind == .information else { continue }
            let block = AnswerMatching.normalize(observation.text)
            if golds.contains(where: { PythonText.contains(block, $0) }) { return turn.index }
        }
        return nil
    }

    /// `2` for data sources named like `sim-2hop` or `2hop-…`; nil otherwise.
    static func hops(dataSource: String) -> Int? {
        guard let range = dataSource.range(of: "hop") else { return nil }
        let digits = dataSource[..<range.lowerBound].reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }
}
