import SearchLabCore
import SearchLabTrainer
import Testing

/// UTF-8 bytes as token ids: lossless, so the loop's token bookkeeping is easy to check.
struct ByteTokenizer: TextTokenizer {
    func encode(_ text: String) -> [Int] { text.utf8.map(Int.init) }
    func decode(_ tokens: [Int]) -> String { String(decoding: tokens.map(UInt8.init), as: UTF8.self) }
}

/// A fixed two-passage corpus; "capital" queries find the capital passage.
struct TwoPassageEngine: SearchEngine {
    let fingerprint = "test:two-passage"
    func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { q in
            let docs = [CorpusDocument(id: "1", contents: "\"Varnel\"\nVarnel is the capital of Osk."),
                        CorpusDocument(id: "2", contents: "\"Osk\"\nOsk is a country.")]
            let ordered = q.contains("capital") ? docs : docs.reversed()
            return ordered.prefix(topK).enumerated().map { SearchHit(document: $1, score: Double(2 - $0)) }
        }
    }
}

/// Plays a fixed script of turns per question and records what it was asked.
struct ScriptedPolicy: TurnPolicy {
    var scripts: [String: [String]]
    var requests: [[TurnRequest]] = []
    mutating func generate(_ batch: [TurnRequest]) throws -> [GeneratedTurn] {
        requests.append(batch)
        return batch.map { r in
            let script = scripts[r.question.id] ?? []
            let text = r.turn < script.count ? script[r.turn] : "I give up"
            return GeneratedTurn(text: text, tokens: Array(repeating: 0, count: text.utf8.count))
        }
    }
}

struct RolloutLoopTests {
    func question(_ id: String) -> Question {
        Question(id: id, dataSource: "sim-1hop", text: "what is the capital of Osk?", goldenAnswers: ["Varnel"])
    }

    @Test func searchThenAnswerMasksObservationsAndBatchesSearches() async throws {
        var policy = ScriptedPolicy(scripts: [
            "a": ["<think>look</think>\n<search> capital of Osk </search> ignored tail", "<think>ok</think>\n<answer> Varnel </answer>"],
            "b": ["<think>guess</think>\n<answer> Osk </answer>"],
            "c": ["no tags", "<think>x</think>\n<search> Osk </search>", "<think>y</think>\n<search> again </search>"],
        ])
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 2, topK: 2), tokenizer: ByteTokenizer(), engine: TwoPassageEngine())
        let samples = try await loop.run([question("a"), question("b"), question("c")], sequenceIDs: [10, 11, 12], policy: &policy)

        let a = samples[0].trajectory
        #expect(a.turns.map(\.action) == [.search("capital of Osk"), .answer("Varnel")])
        #expect(a.turns[0].text == "<think>look</think>\n<search> capital of Osk </search>")
        #expect(a.turns[0].rawGeneration.hasSuffix("ignored tail"))
        #expect(a.turns[0].observation?.text == "\n\n<information>Doc 1(Title: \"Varnel\") Varnel is the capital of Osk.\nDoc 2(Title: \"Osk\") Osk is a country.</information>\n\n")
        #expect(a.outcome.exactMatch && a.outcome.searchCount == 1 && a.outcome.status == .finished)
        #expect(samples[1].trajectory.outcome.exactMatch == false)

        // Token view: response = kept turn tokens + observation tokens, observation masked.
        let s = samples[0]
        let expectedResponse = ByteTokenizer().encode(a.responseText)
        #expect(s.responseTokens == expectedResponse)
        let obsLength = a.turns[0].observation!.text.utf8.count
        #expect(s.generatedMask.filter { !$0 }.count == obsLength)
        #expect(s.promptTokens == ByteTokenizer().encode(a.prompt))

        // Row c: invalid → feedback, search, then the final turn searches again and ends unanswered.
        let c = samples[2].trajectory
        #expect(c.turns.map(\.action.kind) == [.invalid, .search, .search])
        #expect(c.turns[0].observation == SearchR1Format.invalidObservation)
        #expect(c.turns[2].observation == nil)
        #expect(c.outcome.status == .cutOff)
        #expect(c.turns.count == 3)

        // Finished rows leave the batch; parse(render) recovers what the loop recorded.
        #expect(policy.requests.map(\.count) == [3, 2, 1])
        for sample in samples {
            let reparsed = SequenceParser.parse(sample.trajectory.render(), metadata: SequenceMetadata(goldenAnswers: ["Varnel"]))
            #expect(reparsed.turns.map(\.action) == sample.trajectory.turns.map(\.action))
            #expect(reparsed.outcome.reward == sample.trajectory.outcome.reward)
        }
    }

    @Test func observationsAreCutToTheTokenLimitAndContextRolls() async throws {
        var policy = ScriptedPolicy(scripts: ["a": ["<search> capital </search>", "<answer> Varnel </answer>"]])
        let settings = RolloutSettings(maxTurns: 1, maxObservationTokens: 20, contextLimit: 64, topK: 2)
        let loop = RolloutLoop(settings: settings, tokenizer: ByteTokenizer(), engine: TwoPassageEngine())
        let samples = try await loop.run([question("a")], sequenceIDs: [1], policy: &policy)
        let observation = try #require(samples[0].trajectory.turns[0].observation)
        #expect(observation.truncated)
        #expect(observation.text.utf8.count == 20)
        #expect(policy.requests[1][0].context.count == 64)
        #expect(samples[0].responseTokens == ByteTokenizer().encode(samples[0].trajectory.responseText))
    }
}

struct ScriptedAgentTests {
    static let plan = DemonstrationPlan(
        hops: [.init(entity: "Osk", relationWords: "capital", found: "Varnel")], decoys: ["Brimo", "Tesk"])

    func run(rates: MistakeRates, count: Int) async throws -> [Trajectory] {
        var agent = ScriptedAgent(seed: 7, rates: rates) { _ in Self.plan }
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 3, topK: 2), tokenizer: ByteTokenizer(), engine: TwoPassageEngine())
        let questions = (0..<count).map { Question(id: "q\($0)", dataSource: "sim-1hop", text: "what is the capital of Osk?", goldenAnswers: ["Varnel"]) }
        return try await loop.run(questions, sequenceIDs: (0..<count).map(UInt64.init), policy: &agent).map(\.trajectory)
    }

    @Test func aPerfectAgentSearchesThenAnswersCorrectly() async throws {
        let perfect = MistakeRates(answerWithoutSearch: 0, wrongEntity: 0, wrongSpan: 0, skipHop: 0)
        for t in try await run(rates: perfect, count: 5) {
            #expect(t.turns.map(\.action) == [.search("Osk capital"), .answer("Varnel")])
            #expect(t.outcome.exactMatch && t.outcome.formatValid)
        }
    }

    @Test func mistakesAreSeededAndMixed() async throws {
        let a = try await run(rates: MistakeRates(), count: 60)
        let b = try await run(rates: MistakeRates(), count: 60)
        let digestsA = try a.map { try $0.contentDigest() }, digestsB = try b.map { try $0.contentDigest() }
        #expect(digestsA == digestsB)
        let em = a.filter(\.outcome.exactMatch).count
        let noSearch = a.filter { $0.outcome.searchCount == 0 }.count
        #expect(em > 15 && em < 55, "EM \(em)/60 should be neither perfect nor hopeless")
        #expect(noSearch > 3, "some demonstrations answer without searching")
        let allValid = a.allSatisfy { $0.outcome.formatValid }
        #expect(allValid)
    }
}

struct RolloutBatchTests {
    @Test func masksScoresAndPositionsLineUp() async throws {
        var policy = ScriptedPolicy(scripts: [
            "a": ["<search> capital </search>", "<answer> Varnel </answer>"],
            "b": ["<answer> Osk </answer>"],
        ])
        let loop = RolloutLoop(settings: RolloutSettings(maxTurns: 2, topK: 1), tokenizer: ByteTokenizer(), engine: TwoPassageEngine())
        let qa = Question(id: "a", dataSource: "s", text: "q", goldenAnswers: ["Varnel"])
        let qb = Question(id: "b", dataSource: "s", text: "q", goldenAnswers: ["Varnel"])
        let samples = try await loop.run([qa, qb], sequenceIDs: [0, 1], policy: &policy)
        let batch = RolloutBatch(samples: samples, groupIDs: ["a", "b"])
        let la = samples[0].responseTokens.count, lb = samples[1].responseTokens.count
        #expect(batch.shape == TokenShape(rows: 2, length: max(la, lb)))
        #expect(batch.responseMask[0..<la].allSatisfy { $0 == 1 })
        #expect(batch.responseMask[(batch.shape.length + lb)...].allSatisfy { $0 == 0 })
        #expect(batch.infoMask[0..<la].filter { $0 == 0 }.count == samples[0].generatedMask.filter { !$0 }.count)
        #expect(batch.tokenScores[la - 1] == 1 && batch.tokenScores.reduce(0, +) == 1)
        #expect(batch.scores == [1, 0])
        // Sequence position p of row i maps to response column p − promptLength.
        let gathered = batch.responseMatrix { i in batch.sequences[i].map(Double.init) }
        #expect(gathered[0..<la].map { Int($0) } == samples[0].responseTokens)
    }
}
