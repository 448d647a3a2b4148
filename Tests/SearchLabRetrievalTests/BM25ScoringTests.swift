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

/// Pruned top-k against exhaustive scoring: the same documents, scores equal to the bit.
struct PruningTests {
    /// A seeded corpus of 3,000 passages over a Zipfian vocabulary: long lists for common
    /// words (dense path), short ones for rare words (pruned path), many exact ties.
    static func zipfCorpus(at url: URL) throws -> [String] {
        var random = RandomStream(seed: 11, purpose: "test.pruning.corpus")
        let words = (0..<2_000).map { "w\($0)" }
        let weights = words.indices.map { 1.0 / Double($0 + 1) }
        let total = weights.reduce(0, +)
        func draw() -> String {
            var x = random.nextUnitDouble() * total
            for (i, w) in weights.enumerated() { x -= w; if x <= 0 { return words[i] } }
            return words[words.count - 1]
        }
        var lines: [String] = []
        for i in 0..<3_000 {
            let text = (0..<(5 + random.nextIndex(below: 40))).map { _ in draw() }.joined(separator: " ")
            lines.append(try CanonicalJSON.string(CorpusDocument(id: "doc\(i)", contents: "\"T\(i)\"\n" + text)))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return words
    }

    @Test func prunedSearchEqualsExhaustiveSearch() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = directory.appendingPathComponent("zipf.jsonl")
        let words = try Self.zipfCorpus(at: corpus)
        let path = directory.appendingPathComponent("zipf.index").path
        try IndexBuilder.build(corpusPath: corpus.path, outputPath: path, options: IndexBuildOptions(threads: 2))
        let searcher = BM25Searcher(index: try BM25Index(path: path))
        var random = RandomStream(seed: 7, purpose: "test.pruning.queries")
        var compared = 0
        for _ in 0..<300 {
            // Mostly rare words, sometimes a common one, sometimes repeated.
            let terms = (0..<(1 + random.nextIndex(below: 5))).map { _ in
                random.nextUnitDouble() < 0.3 ? words[random.nextIndex(below: 20)] : words[random.nextIndex(below: words.count)]
            }
            for k in [1, 3, 10] {
                let pruned = searcher.search(terms: terms, topK: k)
                let exhaustive = searcher.search(terms: terms, topK: k, exhaustive: true)
                #expect(pruned == exhaustive, "\(terms) k=\(k)")
                for hit in pruned {
                    #expect(hit.score == searcher.score(terms.joined(separator: " "), document: hit.document))
                }
                compared += 1
            }
        }
        #expect(compared == 900)
    }
}
