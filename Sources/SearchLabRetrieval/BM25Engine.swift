// The BM25 index behind SearchLabCore's engine protocol.
import SearchLabCore

/// Lucene BM25 over a SearchLab index, as a ``SearchEngine`` (`--engine bm25`).
///
/// Deterministic: the same index, parameters and queries always give the same hits in the
/// same order (score descending, ties by id byte order). Thread-safe; queries of a batch are
/// answered one after another on the calling task.
public struct BM25Engine: SearchEngine {
    public let searcher: BM25Searcher

    /// Opens the index at `indexPath`; `parameters` overrides the k1 / b stored in it.
    /// - Throws: ``SearchLabError`` when the index is missing, truncated or corrupted.
    public init(indexPath: String, parameters: BM25Parameters? = nil) throws {
        searcher = BM25Searcher(index: try BM25Index(path: indexPath), parameters: parameters)
    }

    public init(searcher: BM25Searcher) {
        self.searcher = searcher
    }

    /// `bm25:` + canonical JSON of the index digest, k1, b and analyzer, e.g.
    /// `bm25:{"analyzer":"lower+w2+stop:en+stem:none","b":0.4,"index":"3f…","k1":0.9}`.
    public var fingerprint: String {
        let fields: [String: JSONValue] = [
            "index": .string(searcher.index.digest),
            "k1": .number(searcher.parameters.k1),
            "b": .number(searcher.parameters.b),
            "analyzer": .string(searcher.analyzer.settings.summary),
        ]
        return "bm25:" + ((try? CanonicalJSON.string(fields)) ?? "")
    }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { hits(for: $0, topK: topK) }
    }

    /// The hits of one query, synchronously.
    public func hits(for query: String, topK: Int) -> [SearchHit] {
        searcher.search(query, topK: topK).map { result in
            SearchHit(document: searcher.index.document(result.document), score: result.score)
        }
    }
}
