// AdamW, clipping and the schedule against hand-written formulas; a tiny model overfits.
import Foundation
import SearchLabPolicy
import SearchLabTensor
import SearchLabTestSupport
import Testing

@Suite struct OptimizerTests {
    @Test func adamWMatchesTheFormulaOverTwoSteps() {
        let params = FloatBuffer([1.0, -2.0, 0.5]), grads = FloatBuffer([0.1, 0.2, -0.3])
        let opt = AdamW(parameterCount: 3, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.5)
        var p: [Double] = [1.0, -2.0, 0.5], m = [0.0, 0, 0], v = [0.0, 0, 0]
        for step in 1...2 {
            opt.update(parameters: params, gradients: grads, learningRate: 0.1, decayed: [0..<2])
            for i in 0..<3 {
                let g = Double(grads[i])
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.99 * v[i] + 0.01 * g * g
                let mhat = m[i] / (1 - pow(0.9, Double(step))), vhat = v[i] / (1 - pow(0.99, Double(step)))
                let decay = i < 2 ? 0.5 : 0
                p[i] -= 0.1 * (mhat / (vhat.squareRoot() + 1e-8) + decay * p[i])
            }
        }
        for i in 0..<3 { #expect(abs(Double(params[i]) - p[i]) < 1e-6) }
        #expect(opt.step == 2)
    }

    @Test func clippingScalesToTheMaximumNorm() {
        let grads = FloatBuffer([3, 4])
        #expect(AdamW.clipGradientNorm(grads, maxNorm: 1) == 5)
        #expect(abs(grads[0] - 0.6) < 1e-7 && abs(grads[1] - 0.8) < 1e-7)
        #expect(AdamW.clipGradientNorm(grads, maxNorm: 10) == 1)
        #expect(abs(grads[0] - 0.6) < 1e-7)
    }

    @Test func scheduleWarmsUpThenDecays() {
        let cosine = LRSchedule(peak: 1, warmupSteps: 4, totalSteps: 14, decay: .cosine, minRatio: 0.1)
        #expect(cosine.learningRate(at: 0) == 0.25)
        #expect(cosine.learningRate(at: 3) == 1)
        #expect(cosine.learningRate(at: 4) == 1)
        #expect(abs(cosine.learningRate(at: 9) - 0.55) < 1e-6)
        #expect(abs(cosine.learningRate(at: 14) - 0.1) < 1e-6)
        #expect(abs(cosine.learningRate(at: 100) - 0.1) < 1e-6)
        #expect(LRSchedule(peak: 2, warmupSteps: 2, decay: .constant).learningRate(at: 50) == 2)
    }
}

/// The tiny model trained on a short text, byte by byte: the losses of the first steps are
/// pinned in `fixtures/golden/tiny_model_losses.json` (recorded with one BLAS thread on
/// OpenBLAS's Haswell kernels), and the loss must fall below a bound.
///
/// That file is a regression pin, not a reference: this test wrote it (`RECORD_GOLDEN=1`) from
/// SearchLab's own numbers, so it catches a change, never an error that was there when it was
/// recorded. The independent check of gradients and optimiser steps is `UpdateReferenceTests`
/// (PyTorch, `scripts/reference/update_reference.py`).
@Suite struct OverfitTests {
    struct Golden: Codable {
        var description: String
        var steps: Int
        var firstLosses: [Float]
        var finalLossBound: Float
        var tolerance: Float
    }

    static let text = """
        Search-R1 trains a model to think, to search, and to answer. \
        The model writes <search> a query </search> and reads <information> the results </information>, \
        then gives <answer> the answer </answer>.
        """

    /// Trains for `steps` and returns every step's loss.
    static func train(steps: Int) -> [Float] {
        let bytes = Array(text.utf8).map(Int.init)
        let model = try! Transformer(config: .tiny(vocabSize: 256))
        model.initialize(seed: 1337)
        let opt = AdamW(parameterCount: model.layout.count, weightDecay: 0.01)
        let schedule = LRSchedule(peak: 1e-2, warmupSteps: 5, totalSteps: steps, decay: .cosine)
        var losses: [Float] = []
        for step in 0..<steps {
            // four 33-byte windows at fixed strides, rotating with the step
            let windows = (0..<4).map { w in
                let start = (step * 29 + w * 47) % (bytes.count - 33)
                return Array(bytes[start..<(start + 33)])
            }
            model.zeroGradients()
            losses.append(model.languageModelStep(TokenBatch(sequences: windows)))
            AdamW.clipGradientNorm(model.gradients, maxNorm: 1)
            opt.update(parameters: model.parameters, gradients: model.gradients,
                       learningRate: schedule.learningRate(at: step), decayed: model.layout.decayedRanges)
        }
        return losses
    }

    @Test func tinyModelOverfitsAShortText() throws {
        Tensor.setBLASThreads(1)
        let url = Fixtures.url("golden/tiny_model_losses.json")
        let steps = 400
        let losses = Self.train(steps: steps)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            let golden = Golden(
                description: "regression pin, not a reference: SearchLab's own losses, recorded by OverfitTests "
                    + "(RECORD_GOLDEN=1). tiny config, vocab 256 (bytes), seed 1337, AdamW lr 1e-2 warmup 5 cosine, clip 1, "
                    + "batch 4x33 windows; recorded with OPENBLAS_NUM_THREADS=1 (Haswell kernels)",
                steps: steps, firstLosses: Array(losses.prefix(8)), finalLossBound: 0.25, tolerance: 1e-4)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(golden).write(to: url)
        }
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        #expect(golden.steps == steps)
        // step 0 starts near the uniform loss log(256) ≈ 5.545
        #expect(abs(losses[0] - logf(256)) < 0.1)
        for (i, expected) in golden.firstLosses.enumerated() {
            #expect(abs(losses[i] - expected) <= golden.tolerance * max(1, abs(expected)), "step \(i): \(losses[i]) vs \(expected)")
        }
        let tail = losses.suffix(5).reduce(0, +) / 5
        print("overfit: first \(losses.prefix(3)) last5 mean \(tail)")
        #expect(tail < golden.finalLossBound, "mean of the last 5 losses \(tail)")
    }
}
