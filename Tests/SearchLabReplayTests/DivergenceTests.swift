// The comparison and the recorded engine on hand-made trajectories: a retrieval that
// differs is named by turn, observation token and rank; the log outranks the trajectory.
import Foundation
import SearchLabCore
import SearchLabPolicy
@testable import SearchLabReplay
import SearchLabStore
import Testing

struct DivergenceTests {
    static func document(_ id: String, _ title: String, rank: Int) -> RetrievedDocument {
        RetrievedDocument(id: id, title: title, text: "\(title) is a place.", score: 1, rank: rank)
    }

    static func trajectory(documents: [RetrievedDocument]) -> Trajectory {
        let search = Turn(index: 0, rawGeneration: "<think>x</think><search>where</search>", text: "<think>x</think><search>where</search>",
                          action: .search("where"), observation: SearchR1Format.informationObservation(documents))
        let answer = Turn(index: 1, rawGeneration: "<answer>here</answer>", text: "<answer>here</answer>",
                          action: .answer("here"), observation: nil)
        let outcome = Outcome(extractedAnswer: "here", exactMatch: false, formatValid: true, retrievalHit: false,
                              reward: 0, searchCount: 1, validActionCount: 2, status: .finished)
        return Trajectory(question: Question(id: "q", dataSource: "sim-1hop", text: "Where?", goldenAnswers: ["there"]),
                          prompt: "P:", turns: [search, answer], outcome: outcome,
                          provenance: Provenance(seed: 1, checkpointDigest: "d", sampling: nil, engineFingerprint: "bm25"))
    }

    static let tokenizer: Tokenizer = {
        try! Tokenizer.build(corpus: ["Doc 1 Title Alpha is a place", "Beta is a place", "where here"], vocabSize: 300, minCount: 1)
    }()

    @Test func anotherDocumentIsARetrievalDivergenceAtItsRankAndToken() {
        let recorded = Self.trajectory(documents: [Self.document("1", "Alpha", rank: 1), Self.document("2", "Beta", rank: 2)])
        let replayed = Self.trajectory(documents: [Self.document("1", "Alpha", rank: 1), Self.document("3", "Gamma", rank: 2)])
        let divergence = DivergenceFinder.first(recorded: recorded, replayed: replayed, sampled: [:], tokenizer: Self.tokenizer)
        #expect(divergence?.turn == 0)
        #expect(divergence?.part == .observation)
        #expect(divergence?.cause == .retrieval)
        #expect(divergence?.detail == "rank 2: recorded doc 2 \"Beta\", replay got doc 3 \"Gamma\"")
        // The token holding the first differing byte of the observation text.
        let a = recorded.turns[0].observation!.text, b = replayed.turns[0].observation!.text
        let common = zip(a.utf8, b.utf8).prefix { $0 == $1 }.count
        var position = 0, start = 0
        for token in Self.tokenizer.encode(b) {
            let length = Self.tokenizer.bytes(of: token).count
            if start + length > common { break }
            start += length
            position += 1
        }
        #expect(divergence?.tokenPosition == position)
        #expect(divergence?.got == Self.tokenizer.decode([Self.tokenizer.encode(b)[position]]))
        #expect(divergence?.got.contains("G") == true)
    }

    @Test func identicalTrajectoriesHaveNoDivergence() {
        let t = Self.trajectory(documents: [Self.document("1", "Alpha", rank: 1)])
        #expect(DivergenceFinder.first(recorded: t, replayed: t, sampled: [:], tokenizer: Self.tokenizer) == nil)
    }

    @Test func theRunsLogOutranksTheTrajectoryAndOtherEnginesAreIgnored() async throws {
        let t = Self.trajectory(documents: [Self.document("1", "Alpha", rank: 1)])
        let logged = SearchHit(document: CorpusDocument(id: "9", contents: "Logged\nfrom the log"), score: 2)
        let other = SearchHit(document: CorpusDocument(id: "8", contents: "Other\nanother engine"), score: 3)
        let calls = [RecordedRetrieval(step: 0, engineFingerprint: "random", query: "where", topK: 3, hits: [other]),
                     RecordedRetrieval(step: 0, engineFingerprint: "bm25", query: "where", topK: 3, hits: [logged])]
        let engine = RecordedAnswers(calls: calls, trajectory: t)
        #expect(try await engine.search(["where"], topK: 3) == [[logged]])
        let fromTrajectory = RecordedAnswers(calls: [], trajectory: t)
        let hits = try await fromTrajectory.search(["where", "never asked"], topK: 3)
        #expect(hits[0].map(\.document.id) == ["1"])
        #expect(hits[0][0].document.title == "Alpha")
        #expect(hits[1].isEmpty)
    }
}
