// Documents as a Search-R1 retriever returns them, and the engine protocol.

/// A passage of a Search-R1-format corpus: `{"id": "...", "contents": "\"Title\"\ntext"}`.
public struct CorpusDocument: Codable, Hashable, Sendable {
    public var id: String
    /// `"Title"` on the first line, the passage text after the first newline.
    public var contents: String

    public init(id: String, contents: String) {
        self.id = id
        self.contents = contents
    }

    /// The title as Search-R1 renders it: the first line, quotes kept (`"Paul Walker"`).
    public var title: String { SearchR1Format.splitContents(contents).title }
    /// The passage text: everything after the first newline.
    public var text: String { SearchR1Format.splitContents(contents).text }
}

/// One ranked result of one query.
public struct RetrievedDocument: Codable, Hashable, Sendable {
    /// Corpus id; `nil` when parsed back from text that never showed it.
    public var id: String?
    /// Title as rendered, quotes kept.
    public var title: String
    /// Passage text as rendered.
    public var text: String
    /// Engine score; `nil` when unknown (parsed text, engines without scores).
    public var score: Double?
    /// 1-based rank in the result list.
    public var rank: Int

    public init(id: String?, title: String, text: String, score: Double?, rank: Int) {
        self.id = id
        self.title = title
        self.text = text
        self.score = score
        self.rank = rank
    }

    /// A result built from a corpus passage.
    public init(document: CorpusDocument, score: Double?, rank: Int) {
        let parts = SearchR1Format.splitContents(document.contents)
        self.init(id: document.id, title: parts.title, text: parts.text, score: score, rank: rank)
    }

    /// The corpus `contents` this result renders from.
    public var contents: String { title + "\n" + text }
}

/// A ranked hit: a corpus passage and its score, as `POST /retrieve` returns it.
public struct SearchHit: Codable, Hashable, Sendable {
    public var document: CorpusDocument
    public var score: Double

    public init(document: CorpusDocument, score: Double) {
        self.document = document
        self.score = score
    }
}

/// Anything that answers a batch of queries with ranked passages: BM25, the ablation
/// engines, an HTTP client of a Search-R1 retriever, a recorded log.
///
/// Engines are deterministic functions of their fingerprint and the request: the same
/// queries and `topK` always give the same hits in the same order (score descending,
/// ties by document id).
public protocol SearchEngine: Sendable {
    /// Identifies the engine and everything that changes its answers (index digest,
    /// parameters), so a recorded answer is only replayed for the same engine.
    var fingerprint: String { get }

    /// Answers each query with at most `topK` hits, in order.
    /// - Throws: engine-specific errors (I/O, HTTP, a miss in a strict replay log).
    func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]]
}

/// An engine whose answer may depend on which question a search serves — the simulation's
/// oracle, which returns that question's supporting passages whatever the query says. The
/// rollout loop knows each row's question and uses this form when the engine offers it.
public protocol QuestionAwareSearchEngine: SearchEngine {
    /// Like ``SearchEngine/search(_:topK:)``; `questionIDs[i]` is the question query `i` serves.
    func search(_ queries: [String], questionIDs: [String], topK: Int) async throws -> [[SearchHit]]
}
