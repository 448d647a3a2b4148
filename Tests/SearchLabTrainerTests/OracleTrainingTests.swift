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
        let samples = try await alwaysSearching(["q-a", "q-b"], maxTurns: 1, engine: EchoQuestionEngine())
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
        let sample = try await alwaysSearching(["q"], maxTurns: 0, engine: engine)[0].trajectory
        #expect(sample.turns.count == 1 && sample.turns[0].observation == nil)
        #expect(sample.outcome.searchCount == 0 && sample.outcome.status != .finished)
        #expect(engine.calls == 0)
    }
}

/// Rolls out one question per id with a policy that always searches, top-1, byte tokens.
func alwaysSearching(_ ids: [String], maxTurns: Int, engine: some SearchEngine) async throws -> [RolloutSample] {
    let loop = RolloutLoop(settings: RolloutSettings(maxTurns: maxTurns, maxObservationTokens: 500, contextLimit: 4096,
                                                     maxStartTokens: 2048, topK: 1),
                           tokenizer: ByteTokenizer(), engine: engine)
    var policy = AlwaysSearch()
    let questions = ids.map { Question(id: $0, dataSource: "sim", text: "x", goldenAnswers: ["y"], groupID: $0, sampleIndex: 0) }
    return try await loop.run(questions, sequenceIDs: ids.indices.map { UInt64($0 + 1) }, policy: &policy)
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
