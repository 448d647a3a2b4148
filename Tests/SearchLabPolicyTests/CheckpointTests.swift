// Checkpoints: save → load → identical logits, exact optimiser resume, refusal of bad files.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabTensor
import SearchLabTestSupport
import Testing

@Suite struct CheckpointTests {
    static func setup(valueHead: Bool = true) throws -> (Transformer, Tokenizer) {
        let tokenizer = try TokenizerTests.tokenizer()
        let model = GenerationTests.model(vocab: tokenizer.vocabSize, valueHead: valueHead)
        return (model, tokenizer)
    }

    static let batch = TokenBatch(sequences: [[3, 50, 70, 12, 299], [4, 4, 100]])

    @Test func saveThenLoadGivesIdenticalLogitsAndValues() throws {
        let (model, tokenizer) = try Self.setup()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt")
        let digest = try Checkpoint.save(model: model, tokenizer: tokenizer, to: ckpt)
        let loaded = try Checkpoint.load(from: ckpt)
        #expect(loaded.digest == digest && digest == Checkpoint.weightsDigest(model))
        #expect(loaded.model.config == model.config)
        #expect(loaded.tokenizer == tokenizer)
        #expect(loaded.model.logits(Self.batch) == model.logits(Self.batch))
        #expect(loaded.model.forward(Self.batch).values == model.forward(Self.batch).values)
        #expect(loaded.optimizer == nil && loaded.trainerState == nil)
        // same weights ⇒ byte-identical files
        let again = dir.appendingPathComponent("again")
        try Checkpoint.save(model: loaded.model, tokenizer: loaded.tokenizer, to: again)
        for name in ["model.safetensors", "config.json", "tokenizer.json"] {
            #expect(try Data(contentsOf: ckpt.appendingPathComponent(name)) == Data(contentsOf: again.appendingPathComponent(name)))
        }
    }

    @Test func resumeFromTrainerStateContinuesExactly() throws {
        let (model, tokenizer) = try Self.setup(valueHead: false)
        let opt = AdamW(parameterCount: model.layout.count)
        func step(_ m: Transformer, _ o: AdamW) {
            m.zeroGradients()
            _ = m.languageModelStep(Self.batch)
            o.update(parameters: m.parameters, gradients: m.gradients, learningRate: 1e-3, decayed: m.layout.decayedRanges)
        }
        step(model, opt)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = TrainerState(step: 1, rng: RandomStream(seed: 9, purpose: "trainer"), dataCursor: 17,
                                 extra: ["phase": .string("ppo")])
        try Checkpoint.save(model: model, tokenizer: tokenizer, optimizer: opt, trainerState: state, to: dir.appendingPathComponent("c"))
        let loaded = try Checkpoint.load(from: dir.appendingPathComponent("c"))
        #expect(loaded.trainerState == state)
        let opt2 = try #require(loaded.optimizer)
        #expect(opt2.step == 1 && opt2.m.array == opt.m.array && opt2.v.array == opt.v.array)
        step(model, opt)
        step(loaded.model, opt2)
        #expect(loaded.model.parameters.array == model.parameters.array)
    }

    @Test func corruptedOrMismatchedFilesAreRefused() throws {
        let (model, tokenizer) = try Self.setup()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt")
        try Checkpoint.save(model: model, tokenizer: tokenizer, to: ckpt)
        let weights = ckpt.appendingPathComponent("model.safetensors")
        let original = try Data(contentsOf: weights)
        func refused(_ needle: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(sourceLocation: sourceLocation) { _ = try Checkpoint.load(from: ckpt) } throws: { error in
                let text = "\(error)"
                if !text.contains(needle) { print("unexpected message: \(text)") }
                return text.contains(needle)
            }
        }
        var flipped = original
        flipped[flipped.count - 5] ^= 0x40
        try flipped.write(to: weights)
        refused("weights are corrupted")
        try original.prefix(original.count - 4).write(to: weights)
        refused("do not match shape")
        try original.prefix(6).write(to: weights)
        refused("too short")
        var badLength = original
        badLength[5] = 0x7F
        try badLength.write(to: weights)
        refused("exceeds the file size")
        try original.write(to: weights)
        // a config that does not match the weights
        let configURL = ckpt.appendingPathComponent("config.json")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
        func writeConfig(_ key: String, _ value: Int) throws {
            var changed = config
            changed[key] = value
            try JSONSerialization.data(withJSONObject: changed).write(to: configURL)
        }
        try writeConfig("n_layer", 3)
        refused("missing tensor h.2.ln_1.weight")
        try writeConfig("n_positions", 32)
        refused("tensor wpe.weight has shape [64, 32], expected [32, 32]")
        try writeConfig("vocab_size", 299)
        refused("tokenizer.json has 300 tokens but config.json says vocab_size 299")
        try writeConfig("n_head", 5)
        refused("width 32 is not a multiple of heads 5")
        try FileManager.default.removeItem(at: configURL)
        refused("config.json: expected a SearchLab config.json")
    }

    @Test func optimizerStateFromAnotherSaveIsRefused() throws {
        let (model, tokenizer) = try Self.setup()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        let opt = AdamW(parameterCount: model.layout.count)
        let state = TrainerState(step: 0, rng: RandomStream(key: 1), dataCursor: 0)
        try Checkpoint.save(model: model, tokenizer: tokenizer, optimizer: opt, trainerState: state, to: a)
        model.parameters[0] += 1
        try Checkpoint.save(model: model, tokenizer: tokenizer, optimizer: opt, trainerState: state, to: b)
        try FileManager.default.removeItem(at: b.appendingPathComponent("trainer_state.json"))
        try FileManager.default.copyItem(at: a.appendingPathComponent("trainer_state.json"), to: b.appendingPathComponent("trainer_state.json"))
        #expect { _ = try Checkpoint.load(from: b) } throws: { "\($0)".contains("not the model.safetensors beside it") }
    }

    @Test func savingOverAnExistingCheckpointReplacesIt() throws {
        let (model, tokenizer) = try Self.setup()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt")
        try Checkpoint.save(model: model, tokenizer: tokenizer, to: ckpt)
        model.parameters[3] = 0.5
        let digest = try Checkpoint.save(model: model, tokenizer: tokenizer, to: ckpt)
        #expect(try Checkpoint.load(from: ckpt).digest == digest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["ckpt"])
    }
}
