// Run against run: the same questions answered in two runs, which flipped and why.
import GRDB
import SearchLabCore
import SearchLabStore

/// The comparison of two runs, question by question.
///
/// Each run is represented per question by its trajectory at the highest step with the
/// lowest sample index (the final policy's first sample).
public struct RunDiff: Codable, Sendable {
    /// Why a question flipped, in causal order: the first that applies.
    public enum Reason: String, Codable, Sendable {
        case differentQuery = "different_query"
        case differentDocuments = "different_documents"
        case noAnswer = "no_answer"
        case sameDocumentsDifferentAnswer = "same_documents_different_answer"
        case sameAnswer = "same_answer"
    }

    public enum Direction: String, Codable, Sendable {
        case rightToWrong = "right_to_wrong"
        case wrongToRight = "wrong_to_right"
    }

    public struct Flip: Codable, Sendable {
        public var questionID: String
        public var direction: Direction
        public var reason: Reason
        public var a: String
        public var b: String
        public var answerA: String?
        public var answerB: String?
        /// The first query that differs, when the reason is a different query.
        public var queryA: String?
        public var queryB: String?

        enum CodingKeys: String, CodingKey {
            case direction, reason, a, b
            case questionID = "question_id"
            case answerA = "answer_a", answerB = "answer_b"
            case queryA = "query_a", queryB = "query_b"
        }
    }

    public struct Totals: Codable, Sendable {
        public var shared = 0, onlyA = 0, onlyB = 0
        public var bothRight = 0, bothWrong = 0, rightToWrong = 0, wrongToRight = 0

        enum CodingKeys: String, CodingKey {
            case shared
            case onlyA = "only_a", onlyB = "only_b"
            case bothRight = "both_right", bothWrong = "both_wrong"
            case rightToWrong = "right_to_wrong", wrongToRight = "wrong_to_right"
        }
    }

    public var runA: String
    public var runB: String
    public var totals: Totals
    /// Flips in question-id order.
    public var flips: [Flip]

    enum CodingKeys: String, CodingKey {
        case totals, flips
        case runA = "run_a", runB = "run_b"
    }

    struct Pick {
        var id: Int64
        var publicID: String
        var right: Bool
        var answer: String?
    }

    /// Compares runs `a` and `b` of `store`.
    public init(store: RunStore, a: String, b: String) throws {
        let runA = try store.run(named: a), runB = try store.run(named: b)
        self.runA = a
        self.runB = b
        let picksA = try Self.picks(store, run: runA), picksB = try Self.picks(store, run: runB)
        var totals = Totals()
        var flipped: [(String, Pick, Pick)] = []
        for question in picksA.keys.sorted() {
            guard let pb = picksB[question] else { totals.onlyA += 1; continue }
            let pa = picksA[question]!
            totals.shared += 1
            switch (pa.right, pb.right) {
            case (true, true): totals.bothRight += 1
            case (false, false): totals.bothWrong += 1
            case (true, false): totals.rightToWrong += 1; flipped.append((question, pa, pb))
            case (false, true): totals.wrongToRight += 1; flipped.append((question, pa, pb))
            }
        }
        totals.onlyB = picksB.keys.filter { picksA[$0] == nil }.count
        self.totals = totals
        let actions = try Self.actions(store, ids: flipped.flatMap { [$0.1.id, $0.2.id] })
        flips = flipped.map { question, pa, pb in
            Self.flip(question: question, pa, pb, actions[pa.id] ?? [], actions[pb.id] ?? [])
        }
    }

    /// Per question: the trajectory at the highest step, lowest sample index.
    static func picks(_ store: RunStore, run: RunRecord) throws -> [String: Pick] {
        try store.read { db in
            var out: [String: Pick] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, question_id, step, sample_index, exact_match, extracted_answer FROM trajectory
                WHERE run_id = ? ORDER BY question_id, step DESC, sample_index
                """, arguments: [run.id])
            while let row = try rows.next() {
                let question: String = row[1]
                if out[question] != nil { continue }
                let publicID = TrajectoryRef.key(run: run.name, step: row[2], questionID: question, sampleIndex: row[3]).description
                out[question] = Pick(id: row[0], publicID: publicID, right: row[4], answer: row[5])
            }
            return out
        }
    }

    /// One search or answer step: the query and the document keys it retrieved.
    struct Step: Equatable {
        var kind: String
        var content: String?
        var documents: [String]
    }

    /// The action sequence of each trajectory, with retrieved document ids or titles.
    static func actions(_ store: RunStore, ids: [Int64]) throws -> [Int64: [Step]] {
        var out: [Int64: [Step]] = [:]
        try store.read { db in
            for chunk in stride(from: 0, to: ids.count, by: 5000).map({ Array(ids[$0..<min($0 + 5000, ids.count)]) }) {
                let list = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                var documents: [Int64: [Int: [String]]] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT trajectory_id, turn_index, COALESCE(doc_id, title) FROM retrieved_document
                    WHERE trajectory_id IN (\(list)) ORDER BY trajectory_id, turn_index, rank
                    """, arguments: StatementArguments(chunk)) {
                    documents[row[0], default: [:]][row[1], default: []].append(row[2])
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT trajectory_id, turn_index, action_kind, action_content FROM turn
                    WHERE trajectory_id IN (\(list)) ORDER BY trajectory_id, turn_index
                    """, arguments: StatementArguments(chunk)) {
                    let id: Int64 = row[0]
                    let turn: Int = row[1]
                    out[id, default: []].append(Step(kind: row[2], content: row[3], documents: documents[id]?[turn] ?? []))
                }
            }
        }
        return out
    }

    static func flip(question: String, _ a: Pick, _ b: Pick, _ stepsA: [Step], _ stepsB: [Step]) -> Flip {
        var flip = Flip(questionID: question, direction: a.right ? .rightToWrong : .wrongToRight, reason: .sameAnswer,
                        a: a.publicID, b: b.publicID, answerA: a.answer, answerB: b.answer)
        let queriesA = stepsA.filter { $0.kind == "search" }, queriesB = stepsB.filter { $0.kind == "search" }
        let normalise = { (s: String?) in PythonText.lower(PythonText.strip(s ?? "")) }
        if let k = (0..<max(queriesA.count, queriesB.count)).first(where: {
            $0 >= queriesA.count || $0 >= queriesB.count || normalise(queriesA[$0].content) != normalise(queriesB[$0].content)
        }) {
            flip.reason = .differentQuery
            flip.queryA = k < queriesA.count ? queriesA[k].content : nil
            flip.queryB = k < queriesB.count ? queriesB[k].content : nil
        } else if zip(queriesA, queriesB).contains(where: { Set($0.documents) != Set($1.documents) }) {
            flip.reason = .differentDocuments
        } else if a.answer == nil || b.answer == nil {
            flip.reason = .noAnswer
        } else if a.answer != b.answer {
            flip.reason = .sameDocumentsDifferentAnswer
        }
        return flip
    }
}
