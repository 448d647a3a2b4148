// Data parallelism over a fixed number of workers. A model of this size keeps one core busy
// per forward pass (its matrices are too thin for OpenBLAS to split well), so the trainer
// runs independent micro-batches side by side instead, each worker with one BLAS thread.
import Dispatch

/// Runs independent jobs on `count` workers with a fixed assignment: job j always runs on
/// worker `j % count`, and each worker takes its jobs in increasing order.
///
/// Whatever a worker accumulates across its jobs (a gradient, say) therefore sums in the same
/// order on every run and every machine; the results depend on `count`, never on the cores.
/// With fewer cores than workers the workers take turns.
public struct WorkerPool: Sendable, Hashable {
    /// Number of workers (≥ 1).
    public let count: Int

    public init(count: Int) {
        precondition(count >= 1, "a worker pool needs at least one worker")
        self.count = count
    }

    /// Calls `body(worker, job)` for every job in `0..<jobs`.
    public func run(jobs: Int, _ body: (_ worker: Int, _ job: Int) -> Void) {
        let workers = min(count, jobs)
        guard workers > 1 else {
            for job in 0..<jobs { body(job % count, job) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // each job touches only its own worker's state (the caller's contract)
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for job in stride(from: worker, to: jobs, by: count) { shared.value(worker, job) }
            }
        }
    }

    /// `body(worker, job)` for every job in `0..<jobs`, in job order.
    public func map<T>(jobs: Int, _ body: (_ worker: Int, _ job: Int) -> T) -> [T] {
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: jobs)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let slots = UncheckedSendable(results)
        // distinct jobs write distinct slots
        run(jobs: jobs) { worker, job in slots.value[job] = body(worker, job) }
        return results.map { $0! }
    }

    /// Splits `0..<total` into at most `count` contiguous ranges of nearly equal size, the
    /// first ones one longer; empty ranges are left out.
    public func shards(of total: Int) -> [Range<Int>] {
        let parts = min(count, total)
        guard parts > 0 else { return [] }
        let base = total / parts, extra = total % parts
        var start = 0
        return (0..<parts).map { k in
            let end = start + base + (k < extra ? 1 : 0)
            defer { start = end }
            return start..<end
        }
    }
}
