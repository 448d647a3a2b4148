import SearchLabCore
import Testing

/// Seeded property tests: the parser never crashes and never loses a byte, and on
/// well-formed trajectories parse is the inverse of render.
struct ParserPropertyTests {
    static let fragments = [
        "<think>", "</think>", "<search>", "</search>", "<answer>", "</answer>", "<information>",
        "</information>", "<Search>", "</ANSWER>", "<|im_start|>", "<|im_end|>", "<|im_start|>assistant\n",
        "<|im_start|>system", "\n\n<information>", "</information>\n\n", SearchR1Format.invalidActionFeedback,
        "Doc 1(Title: ", "\"T\") ", "\n", "\n\n", " ", "<", ">", "/", "é", "e\u{301}", "Σ", "\u{3000}", "日本",
        "🙂", "a", "the", "Question: ", SearchR1Format.instructionPrefix, "\r\n", "\u{0}",
    ]

    static func arbitraryText(_ rng: inout RandomStream) -> String {
        var s = ""
        for _ in 0..<rng.nextIndex(below: 40) {
            if rng.nextIndex(below: 3) == 0 {
                s += String(UnicodeScalar(UInt8(32 + rng.nextIndex(below: 95))))
            } else {
                s += fragments[rng.nextIndex(below: fragments.count)]
            }
        }
        return s
    }

    @Test func parserNeverCrashesAndRenderIsExact() {
        for seed in UInt64(0)..<3000 {
            var rng = RandomStream(seed: seed, purpose: "test.parser.arbitrary")
            let text = Self.arbitraryText(&rng)
            let t = SequenceParser.parse(text)
            #expect(t.render() == text, "seed \(seed): render(parse(x)) != x for \(text.debugDescription)")
            for piece in SequenceParser.splitSequences(text) where piece.isEmpty && !text.isEmpty {
                Issue.record("seed \(seed): empty piece from splitSequences")
            }
            #expect(SequenceParser.splitSequences(text).joined() == text, "seed \(seed): split lost bytes")
        }
    }

    static let words = ["alpha", "bravo", "city", "of", "Varnel", "river", "née", "1969", "Ωmega", "x-y", "(note)"]

    static func phrase(_ rng: inout RandomStream, _ n: Int) -> String {
        (0..<(1 + rng.nextIndex(below: n))).map { _ in words[rng.nextIndex(below: words.count)] }.joined(separator: " ")
    }

    /// A random well-formed trajectory built with the protocol's own renderers.
    static func wellFormed(_ rng: inout RandomStream) throws -> (String, [Action], [[RetrievedDocument]]) {
        var text = try SearchR1Format.prompt(question: phrase(&rng, 6), chat: rng.nextIndex(below: 2) == 0)
        var actions: [Action] = []
        var observations: [[RetrievedDocument]] = []
        for _ in 0..<rng.nextIndex(below: 4) {
            let query = phrase(&rng, 4)
            text += "<think>\(phrase(&rng, 8))</think>\n<search> \(query) </search>"
            let docs = (0..<rng.nextIndex(below: 4)).map { k in
                let title = rng.nextIndex(below: 2) == 0 ? "\"\(phrase(&rng, 3))\"" : phrase(&rng, 2).replacingOccurrences(of: ")", with: "]")
                return RetrievedDocument(id: nil, title: title, text: phrase(&rng, 20), score: nil, rank: k + 1)
            }
            text += SearchR1Format.informationBlock(docs)
            actions.append(.search(query))
            observations.append(docs)
        }
        let answer = phrase(&rng, 3)
        text += "<think>\(phrase(&rng, 5))</think>\n<answer> \(answer) </answer>"
        actions.append(.answer(answer))
        return (text, actions, observations)
    }

    @Test func parseInvertsRenderOnWellFormedTrajectories() throws {
        for seed in UInt64(0)..<1500 {
            var rng = RandomStream(seed: seed, purpose: "test.parser.wellformed")
            let (text, actions, observations) = try Self.wellFormed(&rng)
            let t = SequenceParser.parse(text, metadata: SequenceMetadata(goldenAnswers: [actions.last!.content!]))
            #expect(t.render() == text, "seed \(seed)")
            #expect(t.turns.map(\.action) == actions, "seed \(seed)")
            let docs = t.turns.compactMap { $0.observation?.documents }
            #expect(docs.map { $0.map(\.title) } == observations.map { $0.map(\.title) }, "seed \(seed): titles")
            #expect(docs.map { $0.map(\.text) } == observations.map { $0.map(\.text) }, "seed \(seed): texts")
            #expect(t.malformations.isEmpty && t.turns.allSatisfy { $0.malformations.isEmpty }, "seed \(seed): \(t.turns.map(\.malformations))")
            #expect(t.outcome.formatValid && t.outcome.exactMatch && t.outcome.status == .finished, "seed \(seed)")
            #expect(t.outcome.searchCount == actions.count - 1)
        }
    }
}
