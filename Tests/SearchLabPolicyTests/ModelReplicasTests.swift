// Replicas share weights and own everything a pass writes: a batch split over two replicas
// gives the gradient of the whole batch on one model.
import SearchLabPolicy
import SearchLabTensor
import Testing

struct ModelReplicasTests {
    @Test func replicasShareTheWeightsAndNothingElse() {
        let model = microModel()
        let replicas = ModelReplicas(model, pool: WorkerPool(count: 2))
        #expect(replicas.model === model)
        let other = replicas.replica(for: 1)
        #expect(other.parameters === model.parameters)
        #expect(other.gradients !== model.gradients)
        model.parameters[0] += 1  // an optimiser step on the model is seen by its replicas
        #expect(other.parameters[0] == model.parameters[0])
    }

    @Test func aBatchSplitOverTwoReplicasHasTheWholeBatchsGradient() {
        let rows: [[Int32]] = [[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8], [9, 7, 9, 3, 2, 3], [8, 4, 6, 2, 6, 4]]
        func batch(_ rows: [[Int32]]) -> TokenBatch {
            TokenBatch(batchSize: rows.count, length: 5, tokens: rows.flatMap { $0.prefix(5) },
                       targets: rows.flatMap { $0.dropFirst() }, valid: [Bool](repeating: true, count: rows.count * 5))
        }
        let whole = microModel()
        whole.zeroGradients()
        _ = whole.languageModelStep(batch(rows), scale: 0.5)
        let split = microModel()
        let pool = WorkerPool(count: 2)
        let replicas = ModelReplicas(split, pool: pool)
        replicas.zeroGradients()
        // the mean over each half, halved: the mean over the whole batch (equal token counts)
        pool.run(jobs: 2) { worker, job in
            _ = replicas.replica(for: worker).languageModelStep(batch(Array(rows[(job * 2)..<(job * 2 + 2)])), scale: 0.25)
        }
        replicas.reduceGradients()
        #expect(maxAbsDifference(whole.gradients.array, split.gradients.array) < 1e-5)
        #expect(replicas.replica(for: 1).gradients.array.contains { $0 != 0 })
    }
}
