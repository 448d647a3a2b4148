// The "random retriever" ablation: k passages drawn uniformly from the corpus.
import Foundation
import SearchLabCore

/// Answers every query with `topK` distinct passages drawn uniformly from a corpus.
///
/// The draw for a query comes from `RandomStream(seed: seed, purpose: "engine.random")`
/// derived by the query text, so the same query always gets the same passages, whatever
/// else is in the batch and in whatever order batches arrive. Each drawn passage gets a
/// uniform score in [0, 1); hits are ordered by score descending, ties by id, as the
/// protocol requires.
public struct RandomEngine: SearchEngine {
    /// The passages to draw from.
    public let documents: [CorpusDocument]
    /// The seed all draws derive from.
    public let seed: UInt64
    /// Digest of the corpus, recorded in the fingerprint.
    public let corpusDigest: String

    public init(documents: [CorpusDocument], seed: UInt64, corpusDigest: String) {
        self.documents = documents
        self.seed = seed
        self.corpusDigest = corpusDigest
    }

    /// A random engine over a corpus file.
    public init(corpus: CorpusFile, seed: UInt64) {
        self.init(documents: corpus.documents, seed: seed, corpusDigest: corpus.digest)
    }

    public var fingerprint: String {
        EngineFingerprint(engine: "random", indexDigest: corpusDigest, parameters: ["seed": String(seed)]).description
    }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { hits(for: $0, topK: topK) }
    }

    /// The hits for one query (pure function of seed, corpus, query and `topK`).
    public func hits(for query: String, topK: Int) -> [SearchHit] {
        var stream = RandomStream(seed: seed, purpose: "engine.random").derive(query)
        let picks = RandomEngine.sampleWithoutReplacement(count: min(max(topK, 0), documents.count),
                                                          from: documents.count, using: &stream)
        let hits = picks.map { SearchHit(document: documents[$0], score: stream.nextUnitDouble()) }
        return hits.sorted(by: RandomEngine.ranksBefore)
    }

    /// Score descending, then id ascending (by code point, independent of locale).
    static func ranksBefore(_ a: SearchHit, _ b: SearchHit) -> Bool {
        if a.score != b.score { return a.score > b.score }
        return Array(a.document.id.unicodeScalars.map(\.value)).lexicographicallyPrecedes(b.document.id.unicodeScalars.map(\.value))
    }

    /// `count` distinct indices of `0..<n`: a partial Fisher–Yates shuffle that stores only
    /// the swapped positions, so a draw costs O(count) even on a million-passage corpus.
    static func sampleWithoutReplacement(count: Int, from n: Int, using stream: inout RandomStream) -> [Int] {
        var displaced: [Int: Int] = [:]
        var picks: [Int] = []
        picks.reserveCapacity(count)
        for i in 0..<count {
            let j = i + stream.nextIndex(below: n - i)
            picks.append(displaced[j] ?? j)
            displaced[j] = displaced[i] ?? i
        }
        return picks
    }
}
