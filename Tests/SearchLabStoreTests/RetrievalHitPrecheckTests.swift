// The pre-check in front of `normalize_answer` never changes `answer_retrieved`: the first
// hit found with it equals the first hit found by normalising every block.
import SearchLabCore
@testable import SearchLabStore
import Testing

struct RetrievalHitPrecheckTests {
    static let words = ["Paris", "pa-ris", "PARIS", "the", "a", "an", "The Hague", "hague", "Σ", "ΣΑΣ", "σας", "İstanbul",
                        "istanbul", "é", "e\u{301}", "New  York", "new york", "N.Y.", "ny", "—", "...", "'s", "x", "\n", "東京"]

    static func text(_ r: inout InputRandom) -> String {
        (0..<r.below(8)).map { _ in r.pick(words) }.joined(separator: r.pick([" ", "", "-", "\t"]))
    }

    /// `answer_retrieved` the slow way: normalise every information block.
    static func reference(_ t: Trajectory) -> Int? {
        let golds = t.question.goldenAnswers.map(AnswerMatching.normalize).filter { !$0.isEmpty }
        guard !golds.isEmpty else { return nil }
        for turn in t.turns where turn.observation?.kind == .information {
            let block = AnswerMatching.normalize(turn.observation!.text)
            if golds.contains(where: { PythonText.contains(block, $0) }) { return turn.index }
        }
        return nil
    }

    @Test func precheckedFirstHitEqualsTheFullNormalisation() {
        var r = InputRandom(99)
        var hits = 0
        for _ in 0..<4000 {
            let turns = (0..<(1 + r.below(3))).map { index in
                Turn(index: index, rawGeneration: "", text: "", action: .search("q"),
                     observation: Observation(kind: .information, text: Self.text(&r)))
            }
            let question = Question(id: "q", dataSource: "nq", text: "?", goldenAnswers: (0..<(1 + r.below(2))).map { _ in Self.text(&r) })
            let outcome = Outcome(extractedAnswer: nil, exactMatch: false, formatValid: false, retrievalHit: false,
                                  reward: 0, searchCount: 0, validActionCount: 0, status: .cutOff)
            let t = Trajectory(question: question, prompt: "", turns: turns, outcome: outcome)
            let expected = Self.reference(t)
            #expect(TrajectoryStats(t).firstHitTurn == expected, "\(t.question.goldenAnswers) in \(turns.map { $0.observation!.text })")
            if expected != nil { hits += 1 }
        }
        #expect(hits > 200, "the generator must produce hits to test anything (\(hits))")
    }

    @Test func asciiNormalisationEqualsNormalizeAnswer() {
        let pieces = ["a", "an", "the", "The", "THE", "ant", "then", "a.", "an-", "_the_", "x", "Paris", "1", " ", "  ", "\t", "\n",
                      "\u{0B}", "\u{0C}", "\r", "\u{1C}", "\u{1F}", "\u{00}", "\u{7F}", "!", "\"", "'", "-", "_", "~", "."]
        var r = InputRandom(5)
        for _ in 0..<20000 {
            let text = (0..<r.below(10)).map { _ in r.pick(pieces) }.joined(separator: r.pick(["", " ", "-"]))
            #expect(TrajectoryStats.normalizeASCII(text) == Array(AnswerMatching.normalize(text).utf8), "\(Array(text.utf8))")
        }
        #expect(TrajectoryStats.normalizeASCII("é") == nil)
    }
}
