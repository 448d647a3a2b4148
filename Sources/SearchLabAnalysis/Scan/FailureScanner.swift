// `searchlab scan`: rule-based failure classes for trajectories that missed, read from the
// trajectory alone (plus, for multi-hop questions, the gold chain of supporting passages).
// The rules are documented in docs/analysis.md; a trajectory may fall in several classes,
// and every miss falls in at least one (see `classify`).
import SearchLabCore
import SearchLabStore

/// Why a trajectory missed, as `scan` names it.
public enum FailureClass: String, CaseIterable, Codable, Comparable, Sendable {
    /// It answered, or ended, without a single search.
    case noSearch = "no_search"
    /// It searched, but no retrieved document contains a golden answer.
    case retrievalFailure = "retrieval_failure"
    /// A retrieved document contains a golden answer, but the answer given (if any) is wrong.
    case readingFailure = "reading_failure"
    /// Multi-hop: it answered without retrieving every hop's supporting passage.
    case hopSkipped = "hop_skipped"
    /// Two of its queries are the same or nearly (normalised word sets, Jaccard ≥ 0.8).
    case repeatedQuery = "repeated_query"
    /// It searched again after a golden answer had already been retrieved.
    case searchAfterRetrieved = "search_after_retrieved"
    /// An invalid action, a malformed tag, or a response Search-R1's format check rejects.
    case invalidFormat = "invalid_format"
    /// It ended without an answer: out of turns, or out of tokens in its last turn.
    case cutOff = "cut_off"

    public static func < (a: FailureClass, b: FailureClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One class a trajectory fell in, and the evidence.
public struct ScanFinding: Codable, Hashable, Sendable {
    public var failureClass: FailureClass
    /// What in the trajectory shows it (turn, query, document), in one line.
    public var detail: String

    public init(_ failureClass: FailureClass, _ detail: String) {
        self.failureClass = failureClass
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case detail
        case failureClass = "class"
    }
}

public enum FailureScanner {
    /// Word-set Jaccard similarity at or above which two queries count as repeated.
    public static let nearDuplicateJaccard = 0.8

    /// The classes of a trajectory that missed; empty for one that matched. Every miss gets at
    /// least one: without a search it is `no_search`; with one, a retrieved golden answer makes
    /// it `reading_failure` and its absence `retrieval_failure`.
    /// - Parameter chain: the question's supporting passages in hop order (corpus ids or
    ///   titles), when the dataset has them; `hop_skipped` is only checked with two or more.
    public static func classify(_ trajectory: Trajectory, chain: [String]? = nil) -> [ScanFinding] {
        guard !trajectory.outcome.exactMatch else { return [] }
        let turns = trajectory.turns
        let searches = turns.filter { $0.action.kind == .search }
        let informed = turns.filter { $0.observation?.kind == .information }
        // The store's definition of the first hit (`answer_retrieved`, `searches_after_hit`).
        let firstHit = TrajectoryStats(trajectory).firstHitTurn.map { index in turns.first { $0.index == index }! }
        let answer = trajectory.outcome.extractedAnswer
        var findings: [ScanFinding] = []

        if searches.isEmpty {
            findings.append(.init(.noSearch, answer.map { "answered \(quoted($0)) without searching" } ?? "ended without searching or answering"))
        }
        if !informed.isEmpty {
            if let hit = firstHit {
                let given = answer.map { "the answer given was \(quoted($0))" } ?? "no answer was given"
                findings.append(.init(.readingFailure, "a golden answer was retrieved in turn \(hit.index), but \(given)"))
            } else {
                findings.append(.init(.retrievalFailure, "none of the \(informed.count) searches retrieved a document containing a golden answer"))
            }
        }
        if let chain, chain.count >= 2, answer != nil, let skipped = skippedHop(chain, retrieved: informed) {
            findings.append(.init(.hopSkipped, skipped))
        }
        if let repeated = repeatedQuery(searches) { findings.append(.init(.repeatedQuery, repeated)) }
        if let hit = firstHit, let later = searches.first(where: { $0.index > hit.index }) {
            findings.append(.init(.searchAfterRetrieved, "searched again in turn \(later.index) after a golden answer was retrieved in turn \(hit.index)"))
        }
        if let format = formatProblem(trajectory) { findings.append(.init(.invalidFormat, format)) }
        if trajectory.outcome.status == .cutOff { findings.append(.init(.cutOff, cutOffCause(trajectory))) }
        return findings
    }

    /// The first hop whose supporting passage no search retrieved, said with whether a later
    /// hop's passage was reached; nil when every hop was retrieved.
    static func skippedHop(_ chain: [String], retrieved: [Turn]) -> String? {
        let documents = retrieved.flatMap { $0.observation!.documents }
        let seen = Set(documents.compactMap(\.id) + documents.map(\.title))
        guard let missing = chain.firstIndex(where: { !seen.contains($0) }) else { return nil }
        let later = chain[(missing + 1)...].contains { seen.contains($0) }
        return "answered without retrieving hop \(missing + 1) of \(chain.count) (passage \(quoted(chain[missing])))"
            + (later ? ", though a later hop's passage was retrieved" : "")
    }

    /// The first pair of queries that are the same or nearly, said as turn and query.
    static func repeatedQuery(_ searches: [Turn]) -> String? {
        let words = searches.map { Set(AnswerMatching.normalize($0.action.content ?? "").split(separator: " ")) }
        for j in searches.indices {
            for i in 0..<j {
                let union = words[i].union(words[j]).count
                let jaccard = union == 0 ? 1 : Double(words[i].intersection(words[j]).count) / Double(union)
                if jaccard >= nearDuplicateJaccard {
                    let same = searches[i].action.content == searches[j].action.content
                    return "turn \(searches[j].index) \(same ? "repeats" : "nearly repeats") turn \(searches[i].index)'s query "
                        + quoted(searches[i].action.content ?? "")
                }
            }
        }
        return nil
    }

    /// What is wrong with the format, if anything: an invalid action, a malformation, or a
    /// response Search-R1's format check rejects.
    static func formatProblem(_ trajectory: Trajectory) -> String? {
        if let turn = trajectory.turns.first(where: { $0.action.kind == .invalid }) {
            return "turn \(turn.index) wrote no valid action (no closed <search> or <answer>)"
        }
        if let malformed = trajectory.malformations.first ?? trajectory.turns.lazy.flatMap(\.malformations).first {
            return "\(malformed.kind.rawValue): \(malformed.detail)"
        }
        guard !trajectory.outcome.formatValid else { return nil }
        let why = SearchR1FormatCheck.formatViolation(Turn.concatenated(trajectory.turns)) ?? "its response is rejected"
        // An observation cut at the observation limit loses its closing tag: the environment's
        // doing, not the policy's, and worth saying.
        let cut = trajectory.turns.first { $0.observation?.truncated == true }
        return "Search-R1's format check: " + why + (cut.map { " (the observation of turn \($0.index) was cut at the observation limit)" } ?? "")
    }

    /// Why a trajectory without an answer ended.
    static func cutOffCause(_ trajectory: Trajectory) -> String {
        guard let last = trajectory.turns.last else { return "no turns" }
        if last.action.kind == .search {
            return "turn limit: it searched in the final, answer-only turn \(last.index)"
        }
        if let limit = trajectory.provenance?.sampling?.maxTokensPerTurn, let generated = last.tokens?.generated, generated >= limit {
            return "length limit: its last turn \(last.index) used all \(limit) new tokens without closing a tag"
        }
        return "it ended in turn \(last.index) without an answer"
    }

    static func quoted(_ text: String) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return "\"" + (line.count > 60 ? line.prefix(57) + "…" : line) + "\""
    }
}
