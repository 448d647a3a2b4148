// One model, one replica per worker: how the trainer runs micro-batches on every core.
import SearchLabTensor

/// A model and its replicas, one per worker of a ``WorkerPool``: replica 0 is the model itself,
/// the others share its weights and own their activations, gradients and KV caches.
///
/// A data-parallel gradient step: ``zeroGradients()``, run each micro-batch's backward pass on
/// `replica(for: worker)`, then ``reduceGradients()`` sums every replica's gradient into the
/// model's, in worker order (so the sum is the same on every run).
public final class ModelReplicas: @unchecked Sendable {
    /// Replica 0 is the model the replicas were made from.
    public let replicas: [Transformer]
    /// The workers the replicas serve, one replica each.
    public let pool: WorkerPool

    /// Replicas of `model` for `pool`'s workers.
    public init(_ model: Transformer, pool: WorkerPool) {
        self.pool = pool
        replicas = [model] + (1..<pool.count).map { _ in model.replica() }
    }

    /// The model itself (replica 0): its parameters and, after ``reduceGradients()``, its
    /// gradients are the ones the optimiser updates.
    public var model: Transformer { replicas[0] }

    /// The replica worker `worker` runs on.
    public func replica(for worker: Int) -> Transformer { replicas[worker] }

    /// Zeroes every replica's gradients.
    public func zeroGradients() {
        for replica in replicas { replica.zeroGradients() }
    }

    /// Adds replicas 1, 2, … into the model's gradients, in that order.
    public func reduceGradients() {
        let total = model.gradients
        for replica in replicas.dropFirst() {
            let g = replica.gradients
            Tensor.add(into: total.pointer, g.pointer, count: total.count)
        }
    }

    /// Reserves activations for a pass of `b` rows × `t` positions on every replica.
    public func reserveActivations(b: Int, t: Int) {
        for replica in replicas { replica.reserveActivations(b: b, t: t) }
    }
}
