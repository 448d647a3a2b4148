// Two trajectories aligned turn by turn: what each turn thought, asked and read, where
// they first part ways, and how their outcomes differ.
import SearchLabCore
import SearchLabStore

/// The comparison of two stored trajectories (A and B).
public struct TrajectoryDiff: Codable, Sendable {
    /// One side's identity and outcome.
    public struct Side: Codable, Sendable {
        public var storeID: Int64
        public var publicID: String
        public var question: String
        public var answer: String?
        public var exactMatch: Bool
        public var reward: Double
        public var status: String
        public var turns: Int

        enum CodingKeys: String, CodingKey {
            case question, answer, reward, status, turns
            case storeID = "store_id"
            case publicID = "public_id"
            case exactMatch = "exact_match"
        }
    }

    /// Which aspect of a turn differs first.
    public enum Aspect: String, Codable, Sendable {
        case think, action, query, answer, documents
        case missingTurn = "missing_turn"
        case outcome
    }

    /// The documents two search turns retrieved, keyed by corpus id when both sides have
    /// ids and by title otherwise.
    public struct DocumentOverlap: Codable, Sendable {
        public var shared: [String]
        public var onlyA: [String]
        public var onlyB: [String]
        /// |A ∩ B| / |A ∪ B|.
        public var jaccard: Double

        enum CodingKeys: String, CodingKey {
            case shared, jaccard
            case onlyA = "only_a"
            case onlyB = "only_b"
        }
    }

    /// One aligned turn; a side is nil when that trajectory has no such turn.
    public struct TurnPair: Codable, Sendable {
        public var index: Int
        public var kindA: String?
        public var kindB: String?
        public var thinkA: String?
        public var thinkB: String?
        public var contentA: String?
        public var contentB: String?
        public var documents: DocumentOverlap?
        /// The first aspect that differs in this turn, nil when the turns agree.
        public var difference: Aspect?

        enum CodingKeys: String, CodingKey {
            case index, documents, difference
            case kindA = "kind_a", kindB = "kind_b"
            case thinkA = "think_a", thinkB = "think_b"
            case contentA = "content_a", contentB = "content_b"
        }
    }

    public struct Divergence: Codable, Sendable {
        public var turn: Int?
        public var aspect: Aspect
    }

    public var a: Side
    public var b: Side
    public var identical: Bool
    public var firstDivergence: Divergence?
    public var turns: [TurnPair]

    enum CodingKeys: String, CodingKey {
        case a, b, identical, turns
        case firstDivergence = "first_divergence"
    }

    /// Aligns `a` and `b` by turn index.
    public init(_ a: StoredTrajectory, _ b: StoredTrajectory) {
        self.a = Self.side(a)
        self.b = Self.side(b)
        let turnsA = a.trajectory.turns, turnsB = b.trajectory.turns
        turns = (0..<max(turnsA.count, turnsB.count)).map { k in
            Self.pair(index: k, k < turnsA.count ? turnsA[k] : nil, k < turnsB.count ? turnsB[k] : nil)
        }
        if let first = turns.first(where: { $0.difference != nil }) {
            firstDivergence = Divergence(turn: first.index, aspect: first.difference!)
        } else if a.trajectory.outcome != b.trajectory.outcome || a.trajectory.trailing != b.trajectory.trailing {
            firstDivergence = Divergence(turn: nil, aspect: .outcome)
        }
        identical = a.trajectory.render() == b.trajectory.render()
    }

    static func side(_ stored: StoredTrajectory) -> Side {
        let o = stored.trajectory.outcome
        return Side(storeID: stored.id, publicID: stored.publicID, question: stored.trajectory.question.text,
                    answer: o.extractedAnswer, exactMatch: o.exactMatch, reward: o.reward,
                    status: o.status.rawValue, turns: stored.trajectory.turns.count)
    }

    static func pair(index: Int, _ a: Turn?, _ b: Turn?) -> TurnPair {
        var pair = TurnPair(index: index, kindA: a?.action.kind.rawValue, kindB: b?.action.kind.rawValue,
                            thinkA: a.flatMap { think($0.text) }, thinkB: b.flatMap { think($0.text) },
                            contentA: a?.action.content, contentB: b?.action.content)
        let docsA = a?.observation?.documents ?? [], docsB = b?.observation?.documents ?? []
        if !docsA.isEmpty || !docsB.isEmpty { pair.documents = overlap(docsA, docsB) }
        if a == nil || b == nil {
            pair.difference = .missingTurn
        } else if pair.thinkA != pair.thinkB {
            pair.difference = .think
        } else if pair.kindA != pair.kindB {
            pair.difference = .action
        } else if pair.contentA != pair.contentB {
            pair.difference = a!.action.kind == .answer ? .answer : .query
        } else if let documents = pair.documents, !(documents.onlyA.isEmpty && documents.onlyB.isEmpty) {
            pair.difference = .documents
        }
        return pair
    }

    /// The text of the first `<think>` block, stripped.
    static func think(_ text: String) -> String? {
        guard let open = text.range(of: "<think>"),
              let close = text.range(of: "</think>", range: open.upperBound..<text.endIndex) else { return nil }
        return PythonText.strip(text[open.upperBound..<close.lowerBound])
    }

    /// The overlap of two ranked document lists (by id when all have ids, else by title).
    public static func overlap(_ a: [RetrievedDocument], _ b: [RetrievedDocument]) -> DocumentOverlap {
        let byID = !a.isEmpty && !b.isEmpty && (a + b).allSatisfy { $0.id != nil }
        let keysA = a.map { byID ? $0.id! : $0.title }, keysB = b.map { byID ? $0.id! : $0.title }
        let setA = Set(keysA), setB = Set(keysB)
        let union = setA.union(setB).count
        return DocumentOverlap(
            shared: unique(keysA.filter(setB.contains)), onlyA: unique(keysA.filter { !setB.contains($0) }),
            onlyB: unique(keysB.filter { !setA.contains($0) }),
            jaccard: union == 0 ? 1 : Double(setA.intersection(setB).count) / Double(union))
    }

    /// Keeps the first occurrence of each key, in rank order.
    static func unique(_ keys: [String]) -> [String] {
        var seen = Set<String>()
        return keys.filter { seen.insert($0).inserted }
    }
}
