// The hand-written trajectory encoder against Foundation's (through `CanonicalJSON`) on
// thousands of generated trajectories: odd Unicode, control characters, every optional
// present or absent, floats from subnormal to huge. Byte identity, not equivalence.
import Foundation
import SearchLabCore
import SearchLabStore
import Testing

/// xorshift64*: test inputs independent of the code under test.
struct InputRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func coin() -> Bool { next() & 1 == 1 }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

struct TrajectoryJSONWriterTests {
    static let pieces: [String] = [
        "", "a", "Paris", " ", "\"", "\\", "/", "</search>", "\n", "\r\n", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{01}",
        "\u{1F}", "\u{7F}", "\u{80}", "é", "e\u{301}", "ß", "İ", "👍🏽", "👨‍👩‍👧", "\u{2028}", "\u{2029}", "\u{FEFF}",
        "\u{FFFD}", "\u{10FFFF}", "東京", "שלום", "Doc 1(Title: \"X\") y", "<information>", "{\"k\": [1, 2]}", "%s %@",
    ]

    static let numbers: [Double] = [
        0, -0.0, 1, -1, 0.1, 0.2, 1.5, 1e-7, 1e-5, 0.0001, 1e15, 1e16, 1e17, 1e21, 1e22, 123456789012345683968,
        .leastNonzeroMagnitude, 2.2250738585072014e-308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 3, 100, 4.609991368056773,
        1.0 / 3.0, 2.0 / 3.0, 9007199254740992, 9007199254740994, 0.30000000000000004,
    ]

    static func text(_ r: inout InputRandom) -> String {
        (0..<r.below(6)).map { _ in r.pick(pieces) }.joined()
    }

    static func number(_ r: inout InputRandom) -> Double {
        if r.coin() { return r.pick(numbers) }
        let bits = r.next()
        let value = Double(bitPattern: bits)
        return value.isFinite ? value : Double(Int64(bitPattern: bits) % 1_000_000) / 1000
    }

    static func trajectory(_ r: inout InputRandom) -> Trajectory {
        let question = Question(id: text(&r), dataSource: text(&r), text: text(&r), goldenAnswers: (0..<r.below(4)).map { _ in text(&r) },
                                groupID: r.coin() ? nil : text(&r), sampleIndex: r.below(1000))
        let turns = (0..<r.below(4)).map { index -> Turn in
            let kind = r.pick(Action.Kind.allCases)
            let action = Action(kind: kind, content: kind == .invalid && r.coin() ? nil : text(&r))
            var observation: Observation?
            if r.coin() {
                let documents = (0..<r.below(4)).map { rank in
                    RetrievedDocument(id: r.coin() ? text(&r) : nil, title: text(&r), text: text(&r),
                                      score: r.coin() ? number(&r) : nil, rank: rank + 1)
                }
                observation = Observation(kind: r.coin() ? .information : .invalidFeedback, text: text(&r), documents: documents, truncated: r.coin())
            }
            let malformations = (0..<r.below(3)).map { _ in Malformation(r.pick(Malformation.Kind.allCases), text(&r)) }
            return Turn(index: index, rawGeneration: text(&r), text: text(&r), action: action, observation: observation,
                        tokens: r.coin() ? TokenCounts(generated: r.below(99), kept: r.below(99), observation: r.below(99)) : nil,
                        malformations: malformations)
        }
        let outcome = Outcome(extractedAnswer: r.coin() ? text(&r) : nil, exactMatch: r.coin(), formatValid: r.coin(),
                              retrievalHit: r.coin(), reward: number(&r), searchCount: r.below(5), validActionCount: r.below(5),
                              status: r.coin() ? .finished : .cutOff)
        var provenance: Provenance?
        if r.coin() {
            let sampling = r.coin() ? SamplingSettings(temperature: number(&r), topP: number(&r), maxTokensPerTurn: r.below(500),
                                                       maxTurns: r.below(9), maxObservationTokens: r.below(500), contextLimit: r.below(9000)) : nil
            provenance = Provenance(seed: r.next(), checkpointDigest: r.coin() ? text(&r) : nil, sampling: sampling,
                                    engineFingerprint: r.coin() ? text(&r) : nil, step: r.coin() ? r.below(100) : nil)
        }
        return Trajectory(question: question, prompt: text(&r), turns: turns, trailing: text(&r), outcome: outcome,
                          provenance: provenance, malformations: (0..<r.below(2)).map { _ in Malformation(.strayText, text(&r)) })
    }

    @Test func bytesEqualFoundationsCanonicalJSONOnGeneratedTrajectories() throws {
        var r = InputRandom(20261125)
        for index in 0..<3000 {
            let t = Self.trajectory(&r)
            let expected = try CanonicalJSON.string(t)
            let got = String(decoding: try TrajectoryJSONWriter.encode(t), as: UTF8.self)
            try #require(got == expected, "trajectory \(index):\n\(got)\n\(expected)")
            #expect(TrajectoryJSONWriter.string(t.question.goldenAnswers) == (try CanonicalJSON.string(t.question.goldenAnswers)))
            if let provenance = t.provenance {
                #expect(try TrajectoryJSONWriter.string(provenance) == (try CanonicalJSON.string(provenance)))
            }
            for turn in t.turns {
                #expect(TrajectoryJSONWriter.string(turn.malformations) == (try CanonicalJSON.string(turn.malformations)))
            }
        }
    }

    @Test func everySingleScalarClassIsEscapedLikeFoundation() throws {
        // Every ASCII byte and a sample of the rest, one string each.
        let scalars = (0..<0x100).compactMap(Unicode.Scalar.init) + ["\u{2028}", "\u{D7FF}", "\u{E000}", "\u{1F600}"]
        for scalar in scalars {
            let value = [String(scalar)]
            #expect(TrajectoryJSONWriter.string(value) == (try CanonicalJSON.string(value)), "U+\(String(scalar.value, radix: 16))")
        }
    }

    /// The writer tests eight bytes at a time: an escaped byte at any place in or across the
    /// words, beside bytes of 0x80 and above and bytes just above the control range, must
    /// come out as Foundation writes it.
    @Test func escapesAtEveryPositionOfTheWordScanMatchFoundation() throws {
        for special in ["\"", "\\", "\n", "\u{1F}", "\u{0}"] {
            for length in 0..<26 {
                for position in 0...length {
                    var characters = Array(repeating: "a", count: length)
                    if position < length { characters[position] = special }
                    if length > 3 { characters[length / 2] = position % 2 == 0 ? "é" : " " }
                    let value = [characters.joined(), "!#[]", String(repeating: "\u{7F}\u{20}", count: position)]
                    #expect(TrajectoryJSONWriter.string(value) == (try CanonicalJSON.string(value)), "\(value)")
                }
            }
        }
    }

    @Test func nonFiniteNumbersAreRefusedLikeFoundation() {
        var r = InputRandom(7)
        var t = Self.trajectory(&r)
        t.outcome.reward = .nan
        #expect(throws: (any Error).self) { try CanonicalJSON.encode(t) }
        #expect(throws: TrajectoryJSONWriter.NonFiniteNumber.self) { try TrajectoryJSONWriter.encode(t) }
    }
}
