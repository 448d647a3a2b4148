// Lucene's BM25 over a memory-mapped index, term at a time into a dense score array.
import Foundation
import SearchLabCore

/// BM25's free parameters.
public struct BM25Parameters: Codable, Hashable, Sendable {
    /// Term-frequency saturation.
    public var k1: Double
    /// Length normalisation strength.
    public var b: Double

    /// pyserini / Anserini defaults (Lucene's own are 1.2 / 0.75, bm25s's 1.5 / 0.75).
    public static let pyserini = BM25Parameters(k1: 0.9, b: 0.4)

    public init(k1: Double, b: Double) {
        self.k1 = k1
        self.b = b
    }
}

/// A document number (corpus line order) with its BM25 score.
public struct ScoredDocument: Hashable, Sendable {
    public var document: Int
    public var score: Double
}

/// Scores queries against an index with Lucene's BM25 in exact double precision:
///
///     score(q, d) = Σ over query tokens t in d:  idf(t) · tf / (tf + k1 · (1 − b + b · dl / avgdl))
///     idf(t)      = ln(1 + (N − n + 0.5) / (n + 0.5))
///
/// No `(k1 + 1)` factor (a rank-preserving constant Lucene dropped) and no 1-byte length
/// norms: dl is the exact token count, so scores equal the formula, not Lucene's quantised
/// approximation. A query token that occurs twice is summed twice, as in bm25s; tokens
/// missing from the index contribute nothing. Results are ordered by score descending,
/// then by document id (UTF-8 byte order) ascending, and only documents that match at
/// least one query term are returned.
public final class BM25Searcher: @unchecked Sendable {
    public let index: BM25Index
    public let parameters: BM25Parameters
    public let analyzer: Analyzer
    /// `k1 · (1 − b + b · dl / avgdl)` per document.
    private let norms: [Double]
    private let scratch = ScratchPool()

    /// A searcher with the index's own k1 / b unless `parameters` overrides them.
    public init(index: BM25Index, parameters: BM25Parameters? = nil) {
        self.index = index
        let parameters = parameters ?? BM25Parameters(k1: index.metadata.k1, b: index.metadata.b)
        self.parameters = parameters
        self.analyzer = Analyzer(index.metadata.analyzer)
        let avgdl = index.metadata.averageDocumentLength
        let (k1, b) = (parameters.k1, parameters.b)
        norms = (0..<index.documentCount).map { d in
            k1 * (1 - b + b * Double(index.documentLength(d)) / avgdl)
        }
    }

    /// idf of term number `t`.
    public func idf(_ t: Int) -> Double {
        let n = Double(index.documentFrequency(t)), total = Double(index.documentCount)
        return log(1 + (total - n + 0.5) / (n + 0.5))
    }

    /// The best `topK` documents for `query`.
    public func search(_ query: String, topK: Int) -> [ScoredDocument] {
        search(terms: analyzer.terms(query), topK: topK)
    }

    /// The best `topK` documents for already-analysed query terms. `exhaustive` turns off
    /// pruning (see ``PrunedSearch``); the result is the same, only slower.
    public func search(terms: [String], topK: Int, exhaustive: Bool = false) -> [ScoredDocument] {
        let query = terms.compactMap { index.termNumber($0) }
        guard topK > 0, !query.isEmpty else { return [] }
        let buffers = scratch.take(documentCount: index.documentCount)
        defer {
            buffers.clear()
            scratch.give(buffers)
        }
        if !exhaustive, let pruned = PrunedSearch(searcher: self, query: query, topK: topK).run(buffers) {
            return pruned
        }
        buffers.clear()
        // Long lists touch most of the corpus: then a plain pass over the whole score array
        // is cheaper than tracking touched documents.
        let postings = query.reduce(0) { $0 + index.documentFrequency($1) }
        var best = TopK(capacity: topK, index: index)
        if postings * 4 > index.documentCount {
            buffers.scores.withUnsafeMutableBufferPointer { scores in
                for t in query { addPostingsDense(of: t, weight: idf(t), into: scores) }
                for d in 0..<scores.count where scores[d] > 0 {
                    best.offer(d, scores[d])
                    scores[d] = 0
                }
            }
        } else {
            for t in query { addPostings(of: t, weight: idf(t), into: buffers) }
            for d in buffers.touched { best.offer(Int(d), buffers.scores[Int(d)]) }
        }
        return best.sorted()
    }

    /// ``addPostings(of:weight:into:)`` without tracking touched documents.
    private func addPostingsDense(of t: Int, weight: Double, into scores: UnsafeMutableBufferPointer<Double>) {
        norms.withUnsafeBufferPointer { norms in
            let (documents, frequencies) = index.postings(t)
            for i in 0..<documents.count {
                let d = Int(documents[i]), tf = Double(frequencies[i])
                scores[d] += weight * (tf / (tf + norms[d]))
            }
        }
    }

    /// The exact scores of `candidates` (ascending document numbers) for term numbers
    /// `query`, each summed in query order with exactly the arithmetic of
    /// ``addPostings(of:weight:into:)``, so every search path agrees to the bit. Postings are
    /// walked with galloping search, as candidates ascend.
    func exactScores(_ query: [Int], candidates: [Int]) -> [Double] {
        var totals = [Double](repeating: 0, count: candidates.count)
        for t in query {
            let weight = idf(t)
            let (documents, frequencies) = index.postings(t)
            var at = 0
            for (j, d) in candidates.enumerated() {
                at = Self.lowerBound(UInt32(d), in: documents, from: at)
                if at == documents.count { break }
                if documents[at] == UInt32(d) {
                    let tf = Double(frequencies[at])
                    totals[j] += weight * (tf / (tf + norms[d]))
                }
            }
        }
        return totals
    }

    /// The first position `>= from` whose document is `>= d` (exponential then binary search).
    static func lowerBound(_ d: UInt32, in documents: UnsafeBufferPointer<UInt32>, from start: Int) -> Int {
        var lo = start, step = 1
        while lo + step < documents.count, documents[lo + step] < d { lo += step; step <<= 1 }
        guard lo < documents.count, documents[lo] < d else { return lo }
        var hi = min(lo + step, documents.count)
        lo += 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if documents[mid] < d { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Adds `weight · tf / (tf + norm)` of term `t` to every document in its postings.
    func addPostings(of t: Int, weight: Double, into buffers: Scratch) {
        buffers.scores.withUnsafeMutableBufferPointer { scores in
            norms.withUnsafeBufferPointer { norms in
                let (documents, frequencies) = index.postings(t)
                for i in 0..<documents.count {
                    let d = Int(documents[i]), tf = Double(frequencies[i])
                    if scores[d] == 0 { buffers.touched.append(UInt32(d)) }
                    scores[d] += weight * (tf / (tf + norms[d]))
                }
            }
        }
    }

    /// Adds every query term's contribution to the dense score array, remembering which
    /// documents were touched (every contribution is > 0, so a zero means untouched).
    /// The exact score of one document, computed directly from the formula (for checks).
    public func score(_ query: String, document d: Int) -> Double {
        var total = 0.0
        for term in analyzer.terms(query) {
            guard let t = index.termNumber(term) else { continue }
            let (documents, frequencies) = index.postings(t)
            guard let i = documents.firstIndex(of: UInt32(d)) else { continue }
            let tf = Double(frequencies[i])
            total += idf(t) * (tf / (tf + norms[d]))
        }
        return total
    }
}

/// Per-query working memory, reused across queries.
final class Scratch {
    var scores: [Double]
    var touched: [UInt32] = []
    init(_ count: Int) { scores = [Double](repeating: 0, count: count) }

    /// Zeroes the touched scores, ready for the next query.
    func clear() {
        for d in touched { scores[Int(d)] = 0 }
        touched.removeAll(keepingCapacity: true)
    }
}

/// Scratch buffers for concurrent searches: one per query in flight.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Scratch] = []

    func take(documentCount: Int) -> Scratch {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? Scratch(documentCount)
    }

    func give(_ scratch: Scratch) {
        lock.lock()
        free.append(scratch)
        lock.unlock()
    }
}
