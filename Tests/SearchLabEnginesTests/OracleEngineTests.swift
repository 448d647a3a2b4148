import Foundation
import SearchLabCore
import SearchLabEngines
import SearchLabTestSupport
import Testing

@Suite struct OracleEngineTests {
    func oracle(_ fill: OracleFill) throws -> OracleEngine {
        let corpus = try exampleCorpus()
        let dataset = try OracleDataset(path: Fixtures.url("engines/oracle-questions.jsonl").path, corpus: corpus)
        return OracleEngine(dataset: dataset, corpus: corpus, fill: fill)
    }

    @Test func boundOraclePutsSupportingPassagesFirstInHopOrder() async throws {
        let bound = try oracle(.random(seed: 3)).bind(questionID: "q-pavia")
        for query in ["pavia cathedral construction", "anything at all"] {
            let hits = try await bound.search([query], topK: 5)[0]
            #expect(hits.map(\.document.id).prefix(2) == ["5", "4"])
            #expect(hits.map(\.score).prefix(2) == [2, 1])
            #expect(hits.count == 5)
            #expect(Set(hits.map(\.document.id)).count == 5)
            #expect(hits.dropFirst(2).allSatisfy { $0.score < 1 })
        }
        // Fewer slots than supporting passages: the first hops win.
        #expect(try await bound.search(["x"], topK: 1)[0].map(\.document.id) == ["5"])
    }

    @Test func fillNothingReturnsOnlySupportingPassages() async throws {
        let bound = try oracle(.nothing).bind(questionID: "17")
        let hits = try await bound.search(["a", "b"], topK: 3)
        #expect(hits.map { $0.map(\.document.id) } == [["9"], ["9"]])
        #expect(hits[0][0].document.contents.hasPrefix("\"4th Airborne Corps"))
    }

    @Test func unboundOracleMatchesQuestionTextAfterNormalisation() async throws {
        let engine = try oracle(.nothing)
        let hits = try await engine.search(["who directed  AO ONI", "When was Pavia Cathedral begun", "unrelated"], topK: 3)
        #expect(hits.map { $0.map(\.document.id) } == [["8"], ["5", "4"], []])
    }

    @Test func bindingChangesTheFingerprint() throws {
        let engine = try oracle(.random(seed: 3))
        let a = try engine.bind(questionID: "q-pavia").fingerprint
        let b = try engine.bind(questionID: "q-ao-oni").fingerprint
        #expect(a != b && a != engine.fingerprint)
        #expect(EngineFingerprint(parsing: a)?.parameters["question_id"] == "q-pavia")
        #expect(throws: SearchLabError("the oracle dataset has no question with id \"nope\"")) {
            try engine.bind(questionID: "nope")
        }
    }

    @Test func inMemoryQuestionsNeedNoFiles() async throws {
        let passage = CorpusDocument(id: "p1", contents: "\"Varo\"\nVaro was founded by Ilsa Brenn.")
        let other = CorpusDocument(id: "p2", contents: "\"Brenn\"\nIlsa Brenn is a painter.")
        let dataset = try OracleDataset(questions: [OracleQuestion(id: "q", question: "Who founded Varo?", supporting: [passage])])
        let engine = OracleEngine(dataset: dataset, documents: [passage, other], corpusDigest: "d", fill: .random(seed: 1))
        let hits = try await engine.bind(questionID: "q").search(["varo founder"], topK: 2)
        #expect(hits == [[SearchHit(document: passage, score: 1), SearchHit(document: other, score: hits[0][1].score)]])
        #expect(dataset.digest.count == 64)
        #expect(throws: SearchLabError("duplicate question id \"q\"")) {
            try OracleDataset(questions: [dataset.questions[0], dataset.questions[0]])
        }
    }

    @Test func unknownSupportingPassageIsAnErrorAtItsLine() throws {
        let text = """
            {"id": "a", "question": "q?", "metadata": {"supporting_passages": ["1"]}}
            {"id": "b", "question": "r?", "metadata": {"supporting_passages": ["1", "404"]}}
            """
        #expect(throws: LocatedError(file: "d.jsonl", line: 2, message: "supporting passage \"404\" is not in the corpus")) {
            try OracleDataset(data: Data(text.utf8), name: "d.jsonl", corpus: try exampleCorpus())
        }
        #expect(throws: LocatedError(file: "d.jsonl", line: 1, message: "missing field \"metadata.supporting_passages\" (a list of corpus ids)")) {
            try OracleDataset(data: Data(#"{"id": "a", "question": "q?"}"#.utf8), name: "d.jsonl", corpus: try exampleCorpus())
        }
    }
}
