// The whole model's backward pass against finite differences, for every parameter.
import SearchLabPolicy
import SearchLabTensor
import Testing

@Suite struct TransformerGradientTests {
    /// A batch with right padding in one row and left padding in the other.
    func batch() -> TokenBatch {
        TokenBatch(batchSize: 2, length: 6,
                   tokens: [3, 1, 4, 1, 5, 0, 0, 0, 2, 6, 5, 3],
                   targets: [1, 4, 1, 5, 9, -1, -1, -1, 6, 5, 3, 7],
                   valid: [true, true, true, true, true, false, false, false, true, true, true, true])
    }

    @Test(arguments: [false, true])
    func wholeModelGradientMatchesFiniteDifferences(valueHead: Bool) {
        let model = microModel(valueHead: valueHead)
        let batch = batch()
        var rng = TestRandom(99)
        let wLogp = rng.array(12), wEnt = rng.array(12), wVal = rng.array(12)
        func loss() -> Double {
            let s = model.forward(batch)
            return sumProduct(s.logProbs, wLogp) + sumProduct(s.entropies, wEnt)
                + (valueHead ? sumProduct(s.values, wVal) : 0)
        }
        model.zeroGradients()
        _ = loss()
        model.backward(dLogProbs: wLogp, dEntropies: wEnt, dValues: valueHead ? wVal : nil)
        let analytic = model.gradients.array
        var worst: Float = 0
        var worstName = ""
        let eps: Float = 1e-2
        for view in model.layout.tensors {
            for i in view.range {
                let saved = model.parameters[i]
                model.parameters[i] = saved + eps
                let up = loss()
                model.parameters[i] = saved - eps
                let down = loss()
                model.parameters[i] = saved
                let numeric = Float((up - down) / Double(2 * eps))
                let scaled = abs(numeric - analytic[i]) / (3e-3 + 3e-2 * abs(numeric))
                if scaled > worst { worst = scaled; worstName = view.name }
            }
        }
        #expect(worst <= 1, "worst gradient mismatch in \(worstName): \(worst)")
    }

    @Test func paddingDoesNotChangeAnUnpaddedSequencesScores() {
        let model = microModel()
        let alone = model.forward(TokenBatch(sequences: [[2, 6, 5, 3]]))
        let padded = model.forward(TokenBatch(
            batchSize: 1, length: 6, tokens: [7, 7, 2, 6, 5, 3], targets: [-1, -1, 6, 5, 3, -1],
            valid: [false, false, true, true, true, true]))
        #expect(maxAbsDifference(alone.logProbs, Array(padded.logProbs[2...])) < 1e-5)
        #expect(maxAbsDifference(alone.entropies, Array(padded.entropies[2...])) < 1e-5)
    }

    @Test func gradientsAccumulateAcrossMicroBatches() {
        let model = microModel()
        let whole = TokenBatch(sequences: [[1, 2, 3, 4], [5, 6, 7, 8]])
        model.zeroGradients()
        _ = model.languageModelStep(whole)
        let full = model.gradients.array
        model.zeroGradients()
        _ = model.languageModelStep(TokenBatch(sequences: [[1, 2, 3, 4]]), scale: 0.5)
        _ = model.languageModelStep(TokenBatch(sequences: [[5, 6, 7, 8]]), scale: 0.5)
        #expect(maxAbsDifference(full, model.gradients.array) < 1e-5)
    }

    @Test func frozenCopyKeepsItsWeights() {
        let model = microModel()
        let reference = model.frozenCopy()
        let batch = TokenBatch(sequences: [[1, 2, 3]])
        let before = reference.forward(batch).logProbs
        for i in 0..<model.parameters.count { model.parameters[i] *= 2 }
        #expect(reference.forward(batch).logProbs == before)
        #expect(model.forward(batch).logProbs != before)
    }
}
