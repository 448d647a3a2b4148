import SearchLabCore
import SearchLabTrainer
import Testing

/// The data order: whole batches within each epoch, never a question twice in a batch.
struct EpochBatchesTests {
    @Test(arguments: [(7, 1), (7, 3), (12, 5), (13, 13), (64, 12), (2000, 64)])
    func everyEpochIsAPermutationCutIntoWholeBatches(questions: Int, batch: Int) throws {
        for seed in UInt64(0)..<6 {
            let order = try EpochBatches(questionCount: questions, batchSize: batch, seed: seed)
            #expect(order.batchesPerEpoch == questions / batch && order.unusedPerEpoch == questions % batch)
            for epoch in 0..<3 {
                let steps = (epoch * order.batchesPerEpoch)..<((epoch + 1) * order.batchesPerEpoch)
                let drawn = steps.flatMap { order.indices(forStep: $0) }
                #expect(steps.allSatisfy { Set(order.indices(forStep: $0)).count == batch })
                #expect(Set(drawn).count == drawn.count, "a question twice within epoch \(epoch)")
                #expect(drawn.allSatisfy { (0..<questions).contains($0) })
            }
            // Same seed, same order; the first epoch matches the loader before this change.
            #expect(order.indices(forStep: 1) == (try EpochBatches(questionCount: questions, batchSize: batch, seed: seed)).indices(forStep: 1))
        }
    }

    @Test func anEmptySplitOrABatchLargerThanItIsAnError() {
        #expect(throws: SearchLabError("the world has no training questions; make one with `searchlab world --train N` (N ≥ data.train_batch_size)")) {
            try EpochBatches(questionCount: 0, batchSize: 4, seed: 0)
        }
        #expect(throws: SearchLabError.self) { try EpochBatches(questionCount: 3, batchSize: 4, seed: 0) }
    }
}
