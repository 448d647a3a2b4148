// The fixture the numpy reference (scripts/reference/policy_numpy_forward.py) checks:
// a tiny checkpoint and the logits Swift computes for a few sequences.
import Foundation
import SearchLabPolicy
import SearchLabTensor
import SearchLabTestSupport
import Testing

@Suite struct InteropFixtureTests {
    struct Expected: Codable {
        var sequences: [[Int]]
        /// logits[s][t][v] for sequence s (no padding; each run alone).
        var logits: [[[Float]]]
        var weightsSHA256: String
    }

    static let checkpoint = Fixtures.url("golden/policy_tiny")
    static let expectedURL = Fixtures.url("golden/policy_tiny_logits.json")

    static func record() throws {
        let tokenizer = try TokenizerTests.tokenizer()
        let model = GenerationTests.model(vocab: tokenizer.vocabSize, valueHead: true)
        model.parameters[model.layout["value_head.weight"].offset] = 0.25
        let digest = try Checkpoint.save(model: model, tokenizer: tokenizer, to: checkpoint)
        let sequences = [tokenizer.encode("<search> Hamlet author </search>"), [1, 2, 3, 299, 12, 44, 7]]
        let v = model.config.vocabSize
        let logits = sequences.map { seq in
            let flat = model.logits(TokenBatch(sequences: [seq]))
            return (0..<seq.count).map { t in Array(flat[(t * v)..<((t + 1) * v)]) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(Expected(sequences: sequences, logits: logits, weightsSHA256: digest)).write(to: expectedURL)
    }

    @Test func committedCheckpointReproducesCommittedLogits() throws {
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" { try Self.record() }
        let loaded = try Checkpoint.load(from: Self.checkpoint)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.expectedURL))
        #expect(loaded.digest == expected.weightsSHA256)
        let v = loaded.model.config.vocabSize
        for (s, seq) in expected.sequences.enumerated() {
            let flat = loaded.model.logits(TokenBatch(sequences: [seq]))
            #expect(maxAbsDifference(flat, expected.logits[s].flatMap { $0 }) < 1e-5)
            #expect(flat.count == seq.count * v)
        }
    }
}
