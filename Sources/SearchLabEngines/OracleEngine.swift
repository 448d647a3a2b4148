// The oracle upper bound: the passages that support the question, first.
import Foundation
import SearchLabCore

/// What fills the slots after the supporting passages.
public enum OracleFill: Hashable, Sendable {
    /// Nothing: a query gets only its supporting passages (possibly fewer than `topK`).
    case nothing
    /// Passages drawn as ``RandomEngine`` draws them with this seed, supporting ones skipped.
    case random(seed: UInt64)
}

/// Answers with the supporting passages of a question first (in the dataset's hop order,
/// scores `s, s−1, …, 1` for `s` passages), then fills the remaining slots per ``OracleFill``
/// (random fillers score in [0, 1), so they always rank below).
///
/// **How a query is matched to a question.** The rollout loop knows which question a
/// trajectory answers, so it binds the oracle to it with ``bind(questionID:)`` and every
/// search of that trajectory gets that question's passages, whatever the query says. An
/// unbound oracle (e.g. behind `searchlab serve`, where requests carry only query text)
/// matches a query to the question whose text equals it under ``OracleDataset/matchKey(_:)``;
/// a query that matches no question gets only fillers.
public struct OracleEngine: SearchEngine {
    public let dataset: OracleDataset
    public let fill: OracleFill
    let filler: RandomEngine?
    let corpusDigest: String

    /// An oracle over in-memory data.
    /// - Parameters:
    ///   - documents: the corpus random fillers are drawn from;
    ///   - corpusDigest: identifies that corpus in the fingerprint.
    public init(dataset: OracleDataset, documents: [CorpusDocument], corpusDigest: String, fill: OracleFill) {
        self.dataset = dataset
        self.fill = fill
        self.corpusDigest = corpusDigest
        if case .random(let seed) = fill {
            filler = RandomEngine(documents: documents, seed: seed, corpusDigest: corpusDigest)
        } else {
            filler = nil
        }
    }

    /// An oracle over a corpus file.
    public init(dataset: OracleDataset, corpus: CorpusFile, fill: OracleFill) {
        self.init(dataset: dataset, documents: corpus.documents, corpusDigest: corpus.digest, fill: fill)
    }

    public var fingerprint: String { fingerprint(boundTo: nil) }

    /// A per-question engine: every query is answered for question `questionID`.
    /// - Throws: ``SearchLabError`` when the dataset has no such question.
    public func bind(questionID: String) throws -> BoundOracleEngine {
        guard let question = dataset.question(id: questionID) else {
            throw SearchLabError("the oracle dataset has no question with id \"\(questionID)\"")
        }
        return BoundOracleEngine(oracle: self, question: question)
    }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { hits(for: $0, question: dataset.question(matching: $0), topK: topK) }
    }

    func hits(for query: String, question: OracleQuestion?, topK: Int) -> [SearchHit] {
        let supporting = Array((question?.supporting ?? []).prefix(max(topK, 0)))
        var hits = supporting.enumerated().map { index, document in
            SearchHit(document: document, score: Double(supporting.count - index))
        }
        guard let filler, hits.count < topK else { return hits }
        let taken = Set(supporting.map(\.id))
        // Draw enough extra passages that skipping the supporting ones still fills topK.
        let extra = filler.hits(for: query, topK: topK + supporting.count)
        let open = topK - hits.count
        hits += extra.lazy.filter { !taken.contains($0.document.id) }.prefix(open)
        return hits
    }

    func fingerprint(boundTo questionID: String?) -> String {
        var parameters = ["dataset_digest": dataset.digest]
        switch fill {
        case .nothing: parameters["fill"] = "nothing"
        case .random(let seed): parameters["fill"] = "random"; parameters["seed"] = String(seed)
        }
        if let questionID { parameters["question_id"] = questionID }
        return EngineFingerprint(engine: "oracle", indexDigest: corpusDigest, parameters: parameters).description
    }
}

/// An oracle bound to one question (see ``OracleEngine/bind(questionID:)``).
public struct BoundOracleEngine: SearchEngine {
    public let oracle: OracleEngine
    public let question: OracleQuestion

    public var fingerprint: String { oracle.fingerprint(boundTo: question.id) }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { oracle.hits(for: $0, question: question, topK: topK) }
    }
}

extension OracleEngine: QuestionAwareSearchEngine {
    /// Each query gets the supporting passages of the question it serves (an id the dataset
    /// does not know gets only fillers, like an unmatched query).
    public func search(_ queries: [String], questionIDs: [String], topK: Int) async throws -> [[SearchHit]] {
        precondition(queries.count == questionIDs.count, "one question id per query")
        return zip(queries, questionIDs).map { hits(for: $0, question: dataset.question(id: $1), topK: topK) }
    }
}
