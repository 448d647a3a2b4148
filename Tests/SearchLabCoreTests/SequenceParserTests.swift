import SearchLabCore
import SearchLabTestSupport
import Testing

struct SequenceParserTests {
    @Test func realRolloutParsesAndRendersBackExactly() throws {
        let text = try Fixtures.text("search-r1/example-trajectory.txt")
        let sequences = SequenceParser.splitSequences(text)
        // Search-R1's example/case.txt holds two decoded rollouts, one after the other.
        #expect(sequences.count == 2)
        #expect(sequences.joined() == text)
        let first = SequenceParser.parse(sequences[0], metadata: SequenceMetadata(goldenAnswers: ["Charger"]))
        #expect(first.question.text == "paul walkers cars in fast and furious list?")
        #expect(first.turns.map(\.action) == [
            .search("Paul Walker's cars in Fast and Furious"),
            .search("list of cars paul walker drove in Fast and Furious"),
            .answer("Charger"),
        ])
        #expect(first.turns[0].observation?.documents.map(\.title) == ["\"Paul Walker\"", "\"Paul Walker\"", "\"Paul Walker\""])
        #expect(first.turns[1].observation?.documents.count == 3)
        #expect(first.outcome.searchCount == 2)
        #expect(first.outcome.extractedAnswer == "Charger")
        #expect(first.outcome.exactMatch)
        #expect(first.outcome.status == .finished)
        // Turn 2 reasons outside <think>: upstream's format check calls that invalid.
        #expect(first.outcome.formatValid == false)
        #expect(first.turns[1].malformations.map(\.kind) == [.strayText])
        #expect(first.render() == sequences[0])

        let second = SequenceParser.parse(sequences[1])
        #expect(second.turns.map(\.action.kind) == [.search, .answer])
        #expect(second.turns[1].malformations.map(\.kind).contains(.unclosedTag))
        #expect(second.render() == sequences[1])
    }

    @Test func documentsOfTheRealRolloutRenderBackToTheSameObservation() throws {
        let text = try Fixtures.text("search-r1/example-trajectory.txt")
        for sequence in SequenceParser.splitSequences(text) {
            for turn in SequenceParser.parse(sequence).turns {
                guard let observation = turn.observation, observation.kind == .information else { continue }
                #expect(SearchR1Format.informationBlock(observation.documents) == observation.text)
            }
        }
    }

    @Test func withoutChatMLThePromptEndsAfterTheQuestionLine() throws {
        let prompt = try SearchR1Format.instruction(question: "q")
        let t = SequenceParser.parse(prompt + "<think>x</think><answer> y </answer>")
        #expect(t.prompt == prompt)
        #expect(t.turns.map(\.action) == [.answer("y")])
        #expect(t.malformations.isEmpty)
    }

    @Test func unknownTextIsAllResponseAndMarked() {
        let t = SequenceParser.parse("just words")
        #expect(t.prompt == "")
        #expect(t.malformations.map(\.kind) == [.noPrompt])
        #expect(t.turns.count == 1 && t.turns[0].action == .invalid)
        #expect(t.outcome.status == .cutOff)
        #expect(t.render() == "just words")
    }

    @Test func malformedTurnsAreMarkedNotRejected() throws {
        let prompt = try SearchR1Format.prompt(question: "q")
        let body = "<think>a <search> nested </search> </think>" + SearchR1Format.informationBlock([])
            + "<THINK>shout</THINK> loose" + SearchR1Format.invalidActionFeedback
            + "<answer> x </answer>" + SearchR1Format.informationBlock([]) + "<search> unclosed"
        let t = SequenceParser.parse(prompt + body)
        #expect(t.render() == prompt + body)
        let kinds = t.turns.map { Set($0.malformations.map(\.kind)) }
        #expect(kinds[0].contains(.nestedTag))
        #expect(kinds[1].contains(.tagCase))
        #expect(kinds[2].contains(.unexpectedObservation))
        #expect(kinds[3].contains(.unclosedTag))
        #expect(t.turns[3].action == .invalid)
    }

    @Test func trailingEndOfSequenceTextIsKeptApart() throws {
        let prompt = try SearchR1Format.prompt(question: "q")
        let t = SequenceParser.parse(prompt + "<think>t</think><answer>a</answer><|im_end|><|endoftext|>")
        #expect(t.trailing == "<|im_end|><|endoftext|>")
        #expect(t.outcome.formatValid)
    }
}
