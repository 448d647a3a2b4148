// Generation: the KV cache against full recomputation, batch invariance, stops, top-p.
import Foundation
@testable import SearchLabPolicy
import SearchLabTensor
import Testing

@Suite struct GenerationTests {
    static func model(vocab: Int = 300, valueHead: Bool = false) -> Transformer {
        var config = TransformerConfig.tiny(vocabSize: vocab)
        config.valueHead = valueHead
        let model = try! Transformer(config: config)
        model.initialize(seed: 7)
        // sharpen the random model a little so sampled text is not uniform noise
        for i in 0..<model.parameters.count { model.parameters[i] *= 3 }
        return model
    }

    @Test func kvCacheLogitsEqualFullRecomputationTokenByToken() {
        let model = Self.model()
        let sequence = [5, 17, 42, 99, 3, 250, 8, 8, 61, 7, 123, 44]
        let prompt = 4
        let cache = model.kvCache(slots: 1, maxT: sequence.count)
        var stepLogits = [model.prefill(Array(sequence[..<prompt]), cache: cache, slot: 0)]
        for t in prompt..<(sequence.count - 1) {
            stepLogits.append(model.decodeStep(tokens: [sequence[t]], slots: [0], cache: cache))
        }
        let full = model.logits(TokenBatch(sequences: [sequence]))
        let v = model.config.vocabSize
        for (k, logits) in stepLogits.enumerated() {
            let row = prompt - 1 + k
            let expected = Array(full[(row * v)..<((row + 1) * v)])
            #expect(maxAbsDifference(logits, expected) < 1e-4, "position \(row)")
        }
    }

    @Test func aSequenceGetsTheSameTokensAloneOrInABatchOf32() throws {
        let model = Self.model()
        var rng = TestRandom(3)
        let prompts = (0..<32).map { _ in (0..<(3 + rng.token(10))).map { _ in 12 + rng.token(280) } }
        let settings = SamplingSettings(temperature: 1, topP: 0.9, maxNewTokens: 12, stopStrings: [])
        let sampler = Sampler(model: model, tokenizer: nil)
        let batch = try sampler.generate(prompts: prompts, settings: settings, seed: 2024)
        var bitIdentical = true
        for s in [0, 7, 31] {
            let alone = try sampler.generate(prompts: [prompts[s]], settings: settings, seed: 2024, sequenceIDs: [UInt64(s)])
            #expect(alone[0].tokens == batch[s].tokens)
            #expect(maxAbsDifference(alone[0].logProbs, batch[s].logProbs) < 1e-4)
            bitIdentical = bitIdentical && alone[0].logProbs == batch[s].logProbs
        }
        print("batch invariance: log-probs bit-identical = \(bitIdentical), BLAS threads = \(Tensor.blasThreads)")
        // a different seed changes the draws
        let other = try sampler.generate(prompts: prompts, settings: settings, seed: 2025)
        #expect(other.map(\.tokens) != batch.map(\.tokens))
    }

    /// The KV-cache buffers outlive a call and are not cleared: what a larger earlier call
    /// left in them must not change a later call's tokens or log-probs by a single bit.
    @Test func generationOnReusedCacheBuffersEqualsAFreshModels() throws {
        var rng = TestRandom(5)
        let prompts = (0..<6).map { _ in (0..<(3 + rng.token(6))).map { _ in 12 + rng.token(280) } }
        let larger = (0..<24).map { _ in (0..<(8 + rng.token(20))).map { _ in 12 + rng.token(280) } }
        let settings = SamplingSettings(temperature: 1, topP: 0.9, maxNewTokens: 10, stopStrings: [])
        let fresh = try Sampler(model: Self.model(), tokenizer: nil).generate(prompts: prompts, settings: settings, seed: 9)
        let reused = Sampler(model: Self.model(), tokenizer: nil)
        _ = try reused.generate(prompts: larger, settings: settings, seed: 8)
        let again = try reused.generate(prompts: prompts, settings: settings, seed: 9)
        #expect(again.map(\.tokens) == fresh.map(\.tokens))
        #expect(again.map(\.logProbs) == fresh.map(\.logProbs))
    }

    @Test func sampledLogProbsMatchTeacherForcedScoring() throws {
        let model = Self.model()
        let prompt = [1, 20, 30]
        let out = try Sampler(model: model, tokenizer: nil)
            .generate(prompts: [prompt], settings: SamplingSettings(maxNewTokens: 10, stopStrings: []), seed: 1)[0]
        let scores = model.scoreTokens(TokenBatch(sequences: [prompt + out.tokens]))
        let scored = Array(scores.logProbs[(prompt.count - 1)..<(prompt.count - 1 + out.tokens.count)])
        #expect(maxAbsDifference(scored, out.logProbs) < 1e-4)
    }

    @Test func stopStringsAndStopTokensEndASequence() throws {
        let tokenizer = try TokenizerTests.tokenizer()
        let model = Self.model(vocab: tokenizer.vocabSize)
        let sampler = Sampler(model: model, tokenizer: tokenizer)
        let free = try sampler.generate(prompts: [[2, 40]], settings: SamplingSettings(temperature: 0, maxNewTokens: 8, stopStrings: []), seed: 0)[0]
        #expect(free.tokens.count == 8 && free.stopReason == .maxNewTokens)
        let third = free.tokens[2]
        let stopText = tokenizer.decode([third])
        let stopped = try sampler.generate(prompts: [[2, 40]], settings: SamplingSettings(temperature: 0, maxNewTokens: 8,
                                                                                      stopStrings: [stopText]), seed: 0)[0]
        #expect(stopped.tokens.count <= 3 && stopped.stopReason == .stopString(stopText))
        let byToken = try sampler.generate(prompts: [[2, 40]], settings: SamplingSettings(temperature: 0, maxNewTokens: 8,
                                                                                      stopStrings: [], stopTokens: [third]), seed: 0)[0]
        #expect(byToken.tokens.last == third && byToken.stopReason == .stopToken)
        // a stop string spanning two tokens is found too
        #expect(Sampler.tail(Array("ab</sea".utf8) + Array("rch>".utf8), newBytes: 4, contains: Array("</search>".utf8)))
        #expect(!Sampler.tail(Array("</search> x".utf8), newBytes: 2, contains: Array("</search>".utf8)))
    }

    @Test func topPAndTemperatureSelectTheRightCandidates() {
        let logits: [Float] = [0, 2, 1, -1]
        let greedy = SamplingSettings(temperature: 0)
        #expect(Sampler.sample(logits, settings: greedy, uniform: 0.99).0 == 1)
        // top-p 0.5 keeps only the most likely token (p ≈ 0.64)
        let nucleus = SamplingSettings(temperature: 1, topP: 0.5)
        for u in [0.0, 0.5, 0.999] { #expect(Sampler.sample(logits, settings: nucleus, uniform: u).0 == 1) }
        // full distribution: u walks the ids in order
        let full = SamplingSettings(temperature: 1, topP: 1)
        #expect(Sampler.sample(logits, settings: full, uniform: 0.0).0 == 0)
        #expect(Sampler.sample(logits, settings: full, uniform: 0.999).0 == 3)
        let (token, logProb) = Sampler.sample(logits, settings: full, uniform: 0.5)
        let expected = logits[token] - log(logits.map { exp($0) }.reduce(0, +))
        #expect(abs(logProb - expected) < 1e-6)
    }

    @Test func badPromptsAreRefused() {
        let sampler = Sampler(model: Self.model(), tokenizer: nil)
        let s = SamplingSettings(stopStrings: [])
        #expect(throws: PolicyError.self) { try sampler.generate(prompts: [[]], settings: s, seed: 0) }
        #expect(throws: PolicyError.self) { try sampler.generate(prompts: [[100_000]], settings: s, seed: 0) }
        #expect(throws: PolicyError.self) { try sampler.generate(prompts: [[1]], settings: SamplingSettings(), seed: 0) }
    }
}
