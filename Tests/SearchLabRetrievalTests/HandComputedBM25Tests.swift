import Foundation
import SearchLabRetrieval
import SearchLabTestSupport
import Testing

/// BM25 on a three-passage corpus small enough to score with pencil and paper, so the
/// expected numbers below do not come from any program (the golden file covers the rest).
///
/// Passages (no stop words, one token per word): a = "apple banana apple" (dl 3),
/// b = "banana cherry" (dl 2), c = "cherry cherry cherry date" (dl 4); N = 3, avgdl = 9/3 = 3.
/// With k1 = 0.9, b = 0.4 the length factor K = k1·(1 − b + b·dl/avgdl) is
/// 0.9 for a (dl = avgdl), 0.9·(0.6 + 0.4·2/3) = 0.78 for b, 0.9·(0.6 + 0.4·4/3) = 1.02 for c.
/// idf = ln(1 + (N − n + 0.5)/(n + 0.5)): ln(1 + 2.5/1.5) = ln(8/3) for a term in one passage,
/// ln(1 + 1.5/2.5) = ln(1.6) for a term in two.
struct HandComputedBM25Tests {
    static let rareIDF = log(8.0 / 3.0)
    static let commonIDF = log(1.6)

    static func index() throws -> (BM25Index, URL) {
        let directory = try Fixtures.temporaryDirectory()
        let corpus = directory.appendingPathComponent("hand.jsonl")
        try """
            {"id": "a", "contents": "apple banana apple"}
            {"id": "b", "contents": "banana cherry"}
            {"id": "c", "contents": "cherry cherry cherry date"}

            """.write(to: corpus, atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("hand.index").path
        try IndexBuilder.build(corpusPath: corpus.path, outputPath: path, options: IndexBuildOptions(threads: 1))
        return (try BM25Index(path: path), directory)
    }

    static func ranked(_ query: String) throws -> [(id: String, score: Double)] {
        let (index, directory) = try index()
        defer { try? FileManager.default.removeItem(at: directory) }
        return BM25Searcher(index: index).search(query, topK: 10).map { (index.documentID($0.document), $0.score) }
    }

    static func close(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= 1e-12 * expected
    }

    @Test func termInOnePassageAtAverageLength() throws {
        // a: tf 2, K 0.9 → ln(8/3) · 2/2.9 ≈ 0.6764.
        let hits = try Self.ranked("apple")
        #expect(hits.map(\.id) == ["a"])
        #expect(Self.close(hits[0].score, Self.rareIDF * 2 / 2.9), "\(hits)")
    }

    @Test func shorterPassageWinsOnEqualTermFrequency() throws {
        // b: tf 1, K 0.78 → ln(1.6)/1.78 ≈ 0.2640; a: tf 1, K 0.9 → ln(1.6)/1.9 ≈ 0.2474.
        let hits = try Self.ranked("banana")
        #expect(hits.map(\.id) == ["b", "a"])
        #expect(Self.close(hits[0].score, Self.commonIDF / 1.78), "\(hits)")
        #expect(Self.close(hits[1].score, Self.commonIDF / 1.9), "\(hits)")
    }

    @Test func termScoresAddUpOverTheQuery() throws {
        // c: ln(1.6)·3/4.02 + ln(8/3)·1/2.02 ≈ 0.8363; b: ln(1.6)·1/1.78 ≈ 0.2640.
        let hits = try Self.ranked("cherry date")
        #expect(hits.map(\.id) == ["c", "b"])
        #expect(Self.close(hits[0].score, Self.commonIDF * 3 / 4.02 + Self.rareIDF / 2.02), "\(hits)")
        #expect(Self.close(hits[1].score, Self.commonIDF / 1.78), "\(hits)")
    }
}
