import Foundation
import SearchLabCore
import SearchLabEngines
import SearchLabTestSupport
import Testing

/// The example corpus of Search-R1's README (10 passages, ids "0"…"9").
func exampleCorpus() throws -> CorpusFile {
    try CorpusFile(path: Fixtures.url("search-r1/example-corpus.jsonl").path)
}

@Suite struct RandomEngineTests {
    @Test func sameQuerySameDocumentsWhateverTheBatch() async throws {
        let engine = RandomEngine(corpus: try exampleCorpus(), seed: 7)
        let batch = try await engine.search(["alpha", "beta", "gamma"], topK: 3)
        let alone = try await engine.search(["gamma"], topK: 3)
        let reordered = try await engine.search(["beta", "gamma", "alpha", "alpha"], topK: 3)
        #expect(alone[0] == batch[2])
        #expect(reordered[0] == batch[1])
        #expect(reordered[2] == batch[0])
        #expect(reordered[3] == batch[0])
    }

    @Test func drawsDistinctPassagesRankedByScore() async throws {
        let engine = RandomEngine(corpus: try exampleCorpus(), seed: 7)
        for query in ["alpha", "beta", "who was evan morris", ""] {
            let hits = try await engine.search([query], topK: 4)[0]
            #expect(hits.count == 4)
            #expect(Set(hits.map(\.document.id)).count == 4)
            #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
            #expect(hits.allSatisfy { (0..<1).contains($0.score) })
        }
        // Asking for more than the corpus holds returns the whole corpus, each passage once.
        let all = try await engine.search(["alpha"], topK: 50)[0]
        #expect(Set(all.map(\.document.id)) == Set((0..<10).map(String.init)))
        #expect(try await engine.search(["alpha"], topK: 0) == [[]])
    }

    @Test func seedAndQueryChangeTheDraw() async throws {
        let corpus = try exampleCorpus()
        let queries = (0..<20).map { "query \($0)" }
        let seven = try await RandomEngine(corpus: corpus, seed: 7).search(queries, topK: 3)
        let eight = try await RandomEngine(corpus: corpus, seed: 8).search(queries, topK: 3)
        #expect(seven != eight)
        #expect(Set(seven.map { $0.map(\.document.id) }).count > 5)
        // Pinned (regression guard, not an external reference): a change to the sampling
        // scheme would silently change every recorded ablation, so it must be deliberate.
        let fixed = try await RandomEngine(corpus: corpus, seed: 7).search(["alpha"], topK: 3)[0]
        #expect(fixed.map(\.document.id) == ["4", "1", "6"])
    }

    @Test func fingerprintNamesSeedAndCorpusDigest() throws {
        let corpus = try exampleCorpus()
        let fingerprint = try #require(EngineFingerprint(parsing: RandomEngine(corpus: corpus, seed: 7).fingerprint))
        #expect(fingerprint == EngineFingerprint(engine: "random", indexDigest: corpus.digest, parameters: ["seed": "7"]))
        #expect(corpus.digest.count == 64)
    }
}

@Suite struct EmptyEngineTests {
    @Test func answersEveryQueryWithNothing() async throws {
        let engine = EmptyEngine()
        #expect(try await engine.search(["a", "b", "a"], topK: 3) == [[], [], []])
        #expect(try await engine.search([], topK: 3) == [])
        #expect(EngineFingerprint(parsing: engine.fingerprint)?.engine == "empty")
    }
}

@Suite struct CorpusFileTests {
    /// Expects a located error whose text starts with `expected` (Foundation's own JSON
    /// diagnostics, after the prefix, differ between platforms).
    func expectError(_ text: String, _ expected: String) {
        #expect {
            _ = try CorpusFile(data: Data(text.utf8), name: "c.jsonl")
        } throws: { error in
            (error as? LocatedError)?.description.hasPrefix(expected) == true
        }
    }

    @Test func badLinesAreNamedByLine() {
        expectError("{\"id\": \"1\", \"contents\": \"a\"}\nnot json\n", "c.jsonl:2: not valid JSON")
        expectError("\n{\"id\": \"1\"}\n", "c.jsonl:2: missing field \"contents\" (a string: \"\\\"Title\\\"\\ntext\")")
        expectError("{\"contents\": \"x\"}", "c.jsonl:1: missing field \"id\" (a string or an integer)")
        expectError("{\"id\": 1, \"contents\": \"a\"}\n{\"id\": \"1\", \"contents\": \"b\"}", "c.jsonl:2: duplicate passage id \"1\" (first seen on line 1)")
    }

    @Test func readsIdsAndContents() throws {
        let corpus = try exampleCorpus()
        #expect(corpus.documents.count == 10)
        #expect(corpus.document(id: "4")?.title == "\"Pavia Cathedral\"")
        #expect(corpus.document(id: "missing") == nil)
    }
}
