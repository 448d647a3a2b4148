// `retriever.engine: oracle` in training: each row's searches get its own question's
// supporting passages, for training and test questions alike.
import Foundation
import SearchLabCore
import SearchLabTestSupport
import SearchLabTrainer
import SearchLabWorld
import Testing

struct OracleTrainingTests {
    @Test func everyRowGetsItsOwnQuestionsSupportingPassages() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try World.generate(WorldConfig(seed: 9, entities: 60, train: 20, test: 6)).write(to: dir)
        let environment = try WorldEnvironment(directory: dir)
        let engine = try #require(try environment.engine("oracle", seed: 1) as? any QuestionAwareSearchEngine)
        let questions = [environment.train[3], environment.test[1], environment.train[0]]
        // The same query text for all three: only the question id tells them apart.
        let hits = try await engine.search(Array(repeating: "anything", count: 3), questionIDs: questions.map(\.id), topK: 3)
        for (question, answer) in zip(questions, hits) {
            let supporting = question.metadata.supportingPassages
            #expect(answer.prefix(supporting.count).map(\.document.id) == Array(supporting.prefix(3)), "\(question.id)")
            #expect(answer.count == 3)
        }
    }

    @Test func theRolloutLoopPassesEachRowsQuestion() async throws {
        let engine = EchoQuestionEngine()
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 1, maxObservationTokens: 500, contextLimit: 4096,
                                                         maxStartTokens: 2048, topK: 1),
                               tokenizer: ByteTokenizer(), engine: engine)
        var policy = AlwaysSearch()
        let questions = ["q-a", "q-b"].map { Question(id: $0, dataSource: "sim", text: "x", goldenAnswers: ["y"], groupID: $0, sampleIndex: 0) }
        let samples = try await loop.run(questions, sequenceIDs: [1, 2], policy: &policy)
        for (sample, id) in zip(samples, ["q-a", "q-b"]) {
            #expect(sample.trajectory.turns[0].observation?.documents.first?.id == id)
        }
    }
}

/// With no search turns (`do_search: false`), a search action is the last word: one turn, no
/// observation, and the engine is never asked.
struct NoSearchRolloutTests {
    @Test func aSearchInTheOnlyTurnEndsTheTrajectoryUnanswered() async throws {
        let engine = CountingEngine()
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 0, maxObservationTokens: 500, contextLimit: 4096,
                                                         maxStartTokens: 2048, topK: 1),
                               tokenizer: ByteTokenizer(), engine: engine)
        var policy = AlwaysSearch()
        let question = Question(id: "q", dataSource: "sim", text: "x", goldenAnswers: ["y"], groupID: "q", sampleIndex: 0)
        let sample = try await loop.run([question], sequenceIDs: [1], policy: &policy)[0].trajectory
        #expect(sample.turns.count == 1 && sample.turns[0].observation == nil)
        #expect(sample.outcome.searchCount == 0 && sample.outcome.status != .finished)
        #expect(engine.calls == 0)
    }
}

/// Counts its calls (one test task at a time uses it).
final class CountingEngine: SearchEngine, @unchecked Sendable {
    var calls = 0
    var fingerprint: String { "counting" }
    func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        calls += 1
        return queries.map { _ in [] }
    }
}

/// Answers each query with one document whose id is the question it serves.
struct EchoQuestionEngine: QuestionAwareSearchEngine {
    var fingerprint: String { "echo-question" }
    func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] { queries.map { _ in [] } }
    func search(_ queries: [String], questionIDs: [String], topK: Int) async throws -> [[SearchHit]] {
        questionIDs.map { [SearchHit(document: CorpusDocument(id: $0, contents: "\"T\"\nbody"), score: 1)] }
    }
}

struct AlwaysSearch: TurnPolicy {
    mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn] {
        requests.map { _ in GeneratedTurn(text: "<search> where </search>", tokens: []) }
    }
}
