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
        #expect(result.demonstrations.count == 40)
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
