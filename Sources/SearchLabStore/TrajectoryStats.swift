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
        // Each golden's longest word, for the cheap pre-check below.
        let probes = golds.map { gold in Array((gold.split(separator: " ").max { $0.utf8.count < $1.utf8.count } ?? "").utf8) }
        for turn in turns {
            guard let observation = turn.observation, observation.kind == .information else { continue }
            // Normalising splits and rejoins the whole block; most blocks hold no golden
            // answer, and a golden's words must each occur in the block's loose form.
            let loose = looseForm(observation.text)
            guard probes.contains(where: { UTF8Search.firstIndex(of: $0, in: loose, from: 0) != nil }) else { continue }
            let block = AnswerMatching.normalize(observation.text)
            if golds.contains(where: { PythonText.contains(block, $0) }) { return turn.index }
        }
        return nil
    }

    /// `lower(text)` without ASCII punctuation, as UTF-8: the first two steps of
    /// `normalize_answer`. The remaining steps only turn articles into spaces and collapse
    /// whitespace, so every word of the normalised text is a substring of this form — a
    /// necessary condition for a match, checked before the full normalisation.
    static func looseForm(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte < 0x80 else {
                let lowered = PythonText.lower(text).unicodeScalars.filter { !($0.isASCII && isPunctuation[Int($0.value)]) }
                return Array(String(String.UnicodeScalarView(lowered)).utf8)
            }
            if isPunctuation[Int(byte)] { continue }
            out.append(byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte)
        }
        return out
    }

    /// Python's `string.punctuation`, by ASCII code.
    static let isPunctuation: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for scalar in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars { table[Int(scalar.value)] = true }
        return table
    }()

    /// `2` for data sources named like `sim-2hop` or `2hop-…`; nil otherwise.
    static func hops(dataSource: String) -> Int? {
        guard let range = dataSource.range(of: "hop") else { return nil }
        let digits = dataSource[..<range.lowerBound].reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }
}
