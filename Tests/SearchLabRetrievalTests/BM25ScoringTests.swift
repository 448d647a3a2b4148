import Foundation
import SearchLabCore
import SearchLabRetrieval
import SearchLabTestSupport
import Testing

/// Scores and rankings against the plain-Python formula (fixtures/golden/bm25.json).
struct BM25ScoringTests {
    struct Golden: Decodable {
        var configs: [Config]
    }
    struct Config: Decodable {
        var stopwords: String
        var k1: Double
        var b: Double
        var topk: Int
        var results: [QueryResult]
    }
    struct QueryResult: Decodable {
        var query: String
        var scores: [String: Double]
        var ranking: [String]
    }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(Fixtures.text("golden/bm25.json").utf8))
    }

    @Test func scoresAndRankingsEqualTheReference() throws {
        let golden = try Self.golden()
        #expect(golden.configs.count == 2)
        for config in golden.configs {
            let options = IndexBuildOptions(
                analyzer: AnalyzerSettings(lowercase: true, stopwords: config.stopwords == "en" ? .en : .none),
                k1: config.k1, b: config.b, threads: 2)
            let (index, directory) = try buildFixtureIndex(options: options)
            defer { try? FileManager.default.removeItem(at: directory) }
            let searcher = BM25Searcher(index: index)
            for expected in config.results {
                let ranked = searcher.search(expected.query, topK: config.topk)
                #expect(ranked.map { index.documentID($0.document) } == expected.ranking, "\(expected.query)")
                // Every matching document, scored within 1e-12 relative of the reference.
                let all = searcher.search(expected.query, topK: index.documentCount)
                #expect(all.count == expected.scores.count, "\(expected.query)")
                for hit in all {
                    let want = try #require(expected.scores[index.documentID(hit.document)])
                    #expect(abs(hit.score - want) <= 1e-12 * max(1, abs(want)), "\(expected.query) \(hit)")
                    #expect(searcher.score(expected.query, document: hit.document) == hit.score)
                }
            }
        }
    }

    @Test func tiesAreBrokenByIdNotCorpusOrder() throws {
        // d10 comes before d05 in the corpus; their passages are identical.
        let (index, directory) = try buildFixtureIndex()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ranked = BM25Searcher(index: index).search("river boats sail", topK: 2)
        #expect(ranked.map { index.documentID($0.document) } == ["d05", "d10"])
        #expect(ranked[0].score == ranked[1].score)
    }

    @Test func parametersCanBeOverriddenAtSearchTime() throws {
        let (index, directory) = try buildFixtureIndex()
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = try buildFixtureIndex(options: IndexBuildOptions(
            analyzer: AnalyzerSettings(stopwords: .en), k1: 1.2, b: 0.75, threads: 1))
        defer { try? FileManager.default.removeItem(at: other.directory) }
        let overridden = BM25Searcher(index: index, parameters: BM25Parameters(k1: 1.2, b: 0.75))
        let native = BM25Searcher(index: other.index)
        for query in ["capital of France", "Seine river Paris capital"] {
            #expect(overridden.search(query, topK: 12) == native.search(query, topK: 12))
        }
    }

    @Test func unknownAndEmptyQueriesReturnNothing() throws {
        let (index, directory) = try buildFixtureIndex()
        defer { try? FileManager.default.removeItem(at: directory) }
        let searcher = BM25Searcher(index: index)
        #expect(searcher.search("zzzz qqqq", topK: 3).isEmpty)
        #expect(searcher.search("", topK: 3).isEmpty)
        #expect(searcher.search("the of and", topK: 3).isEmpty)
        #expect(searcher.search("paris", topK: 0).isEmpty)
    }

    @Test func engineAnswersBatchesWithDocuments() async throws {
        let (index, directory) = try buildFixtureIndex()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try BM25Engine(indexPath: index.path)
        let hits = try await engine.search(["capital of France", "zzzz"], topK: 3)
        #expect(hits.count == 2)
        #expect(hits[0].map(\.document.id) == ["d12", "d01", "d11"])
        #expect(hits[0][0].document.title == "\"France\"")
        #expect(hits[1].isEmpty)
        #expect(engine.fingerprint.hasPrefix("bm25:{"))
        #expect(engine.fingerprint.contains(index.digest))
        #expect(engine.fingerprint.contains("\"k1\":0.9"))
        let other = try BM25Engine(indexPath: index.path, parameters: BM25Parameters(k1: 1.2, b: 0.75))
        #expect(other.fingerprint != engine.fingerprint)
    }
}
