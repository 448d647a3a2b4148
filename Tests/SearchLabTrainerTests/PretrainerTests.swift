import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabTestSupport
import SearchLabTrainer
import SearchLabWorld
import Testing

struct PretrainerTests {
    @Test func theTokenizerCoversWhatTheModelTrainsOn() async throws {
        let world = try World.generate(WorldConfig(seed: 5, entities: 60, train: 40, test: 10))
        var corpus: [CorpusDocument] = []
        world.forEachPassage { corpus.append($0) }
        var settings = PretrainSettings()
        settings.preset = "tiny"
        settings.steps = 2
        settings.batchRows = 2
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await Pretrainer.run(corpus: corpus, questions: world.train, engine: TwoPassageEngine(),
                                              settings: settings, output: dir)
        #expect(result.demonstrations.count == 40 * settings.demonstrationPasses)
        let tokenizer = try Checkpoint.load(from: dir).tokenizer
        // The scripted agent's words occur in every demonstration: each must be one token,
        // never spelled in byte tokens.
        for word in [" need", " search", " documents", " answer"] {
            #expect(tokenizer.encode(word).count == 1, "\(word.debugDescription) → \(tokenizer.encode(word))")
        }
        let text = result.demonstrations[0].render()
        #expect(tokenizer.decode(tokenizer.encode(text)) == text)
    }
}

/// A small seeded world and the bootstrap tokenizer of its corpus and training questions.
private func smallWorld(train: Int) throws -> (World, Tokenizer) {
    let world = try World.generate(WorldConfig(seed: 5, entities: 60, train: train, test: 4))
    var corpus: [CorpusDocument] = []
    world.forEachPassage { corpus.append($0) }
    return (world, try Pretrainer.buildTokenizer(corpus: corpus, questions: world.train, vocabSize: 2000))
}

struct DemonstrationPassTests {
    /// Each pass draws its own mistakes; pass 0 is the same however many passes follow.
    @Test func passesRepeatTheQuestionsWithTheirOwnMistakes() async throws {
        let (world, tokenizer) = try smallWorld(train: 30)
        var settings = PretrainSettings()
        settings.demonstrationPasses = 1
        let one = try await Pretrainer.demonstrations(questions: world.train, engine: TwoPassageEngine(),
                                                      tokenizer: tokenizer, settings: settings)
        settings.demonstrationPasses = 3
        let three = try await Pretrainer.demonstrations(questions: world.train, engine: TwoPassageEngine(),
                                                        tokenizer: tokenizer, settings: settings)
        #expect(three.count == 90)
        #expect(Array(three.prefix(30)) == one)
        #expect(three.map(\.question.id) == Array(repeating: world.train.map(\.id), count: 3).flatMap { $0 })
        let firstPass = three[0..<30].map { $0.render() }, secondPass = three[30..<60].map { $0.render() }
        #expect(firstPass != secondPass, "a second pass must draw other mistakes")
    }
}

struct DemonstrationRowTests {
    @Test func onlyTheAgentsOwnWordsAreTargets() async throws {
        let (world, tokenizer) = try smallWorld(train: 12)
        let demos = try await Pretrainer.demonstrations(questions: world.train, engine: TwoPassageEngine(),
                                                        tokenizer: tokenizer, settings: PretrainSettings())
        let searching = try #require(demos.first { $0.turns.contains { $0.observation != nil } })
        let rows = DemonstrationRow.rows(of: searching, tokenizer: tokenizer, contextLength: 4096)
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row.tokens.count == row.written.count)
        // The written tokens, in order, spell exactly the turns' kept text.
        let written = zip(row.tokens, row.written).filter(\.1).map(\.0)
        #expect(tokenizer.decode(written) == searching.turns.map(\.text).joined())
        // Nothing of the prompt is a target; the row is prompt + turns + observations.
        let promptCount = tokenizer.encode(searching.prompt).count
        #expect(!row.written.prefix(promptCount).contains(true))
        #expect(tokenizer.decode(row.tokens) == searching.render())
        // A short context gives one window per turn, ending where the turn ends and scoring
        // only that turn: what the rolling context shows the policy when it writes it.
        let windows = DemonstrationRow.rows(of: searching, tokenizer: tokenizer, contextLength: 50)
        #expect(windows.count == searching.turns.count)
        for (window, turn) in zip(windows, searching.turns) {
            #expect(window.tokens.count <= 50)
            #expect(tokenizer.decode(zip(window.tokens, window.written).filter(\.1).map(\.0)) == turn.text)
            #expect(tokenizer.decode(window.tokens).hasSuffix(turn.text))
        }
    }
}
