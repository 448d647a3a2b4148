// The data order of a training run, as verl's loader with `drop_last` has it: each epoch is
// a seeded permutation of the training questions, cut into whole batches; the remainder of
// an epoch (fewer questions than a batch) is not used, so no batch ever mixes two epochs and
// no batch can hold a question twice.
import SearchLabCore

/// Which training questions each step draws.
public struct EpochBatches: Hashable, Sendable {
    public let questionCount: Int
    public let batchSize: Int
    public let seed: UInt64

    /// - Throws: ``SearchLabError`` when there are no questions, or fewer than one batch.
    public init(questionCount: Int, batchSize: Int, seed: UInt64) throws {
        guard questionCount > 0 else {
            throw SearchLabError("the world has no training questions; make one with `searchlab world --train N` (N ≥ data.train_batch_size)")
        }
        guard batchSize <= questionCount else {
            throw SearchLabError("data.train_batch_size (\(batchSize)) exceeds the world's \(questionCount) training questions; "
                                 + "lower it or make a world with more (`searchlab world --train N`)")
        }
        self.questionCount = questionCount
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Whole batches per epoch: ⌊questions / batch⌋.
    public var batchesPerEpoch: Int { questionCount / batchSize }

    /// Questions left out of every epoch (a different draw each epoch).
    public var unusedPerEpoch: Int { questionCount % batchSize }

    /// The epoch that step `step` belongs to.
    public func epoch(ofStep step: Int) -> Int { step / batchesPerEpoch }

    /// The question indices of step `step`, in batch order.
    public func indices(forStep step: Int) -> [Int] {
        var order = Array(0..<questionCount)
        var random = RandomStream(seed: seed, purpose: "trainer.data-order", UInt64(epoch(ofStep: step)))
        order.shuffle(using: &random)
        let start = (step % batchesPerEpoch) * batchSize
        return Array(order[start..<(start + batchSize)])
    }
}
