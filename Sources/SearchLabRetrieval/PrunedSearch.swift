// Top-k without reading the longest posting lists, when their terms cannot change the top k
// (the MaxScore idea, Turtle & Flood 1995, applied term at a time).
//
// Every occurrence of a term adds less than its idf (tf / (tf + norm) < 1). Terms are read
// rarest-first (largest bound first) into the score array; before each next term, if the
// k-th best partial score θ already exceeds the sum U of the bounds of all unread terms, no
// unread document can reach the top k, so reading stops. The candidates — read documents
// whose partial + U can still reach θ — are then scored exactly, in query order, by galloping
// search in every query term's postings, with the same arithmetic as the exhaustive path,
// so the result is bit-identical to scoring everything. When a long list (more than 1/8 of
// the corpus) would have to be read first, the caller scores exhaustively instead.

struct PrunedSearch {
    let searcher: BM25Searcher
    /// Term numbers in query order, repeats kept.
    let query: [Int]
    let topK: Int

    /// Slack for the float rounding between partial sums (any order) and exact sums.
    static let slack = 1e-9

    /// The top k, or `nil` when pruning would not avoid a long list.
    func run(_ buffers: Scratch) -> [ScoredDocument]? {
        let index = searcher.index
        // Distinct terms with their bound m·idf, largest first (term number breaks ties).
        let distinct = Array(Set(query)).sorted()
        let bounds = distinct.map { t in Double(query.lazy.filter { $0 == t }.count) * searcher.idf(t) }
        let order = distinct.indices.sorted { bounds[$0] > bounds[$1] || (bounds[$0] == bounds[$1] && distinct[$0] < distinct[$1]) }
        var unread = bounds.reduce(0, +)
        var threshold = 0.0
        for position in order {
            threshold = kthBest(buffers)
            if threshold * (1 - Self.slack) > unread { break }
            let t = distinct[position]
            guard index.documentFrequency(t) * 8 <= index.documentCount else {
                return nil
            }
            searcher.addPostings(of: t, weight: bounds[position], into: buffers)
            unread -= bounds[position]
            if unread < 0 { unread = 0 }
        }
        threshold = max(threshold, kthBest(buffers))
        let candidates = buffers.touched.lazy
            .filter { buffers.scores[Int($0)] + unread >= threshold * (1 - Self.slack) }
            .map { Int($0) }.sorted()
        var best = TopK(capacity: topK, index: index)
        for (d, score) in zip(candidates, searcher.exactScores(query, candidates: candidates)) {
            best.offer(d, score)
        }
        return best.sorted()
    }

    /// The k-th best partial score so far (0 while fewer than k documents are read).
    private func kthBest(_ buffers: Scratch) -> Double {
        guard buffers.touched.count >= topK else { return 0 }
        var heap = TopK(capacity: topK, index: searcher.index)
        for d in buffers.touched { heap.offer(Int(d), buffers.scores[Int(d)]) }
        return heap.worstScore
    }
}
