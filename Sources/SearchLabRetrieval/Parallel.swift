// Running independent jobs on a fixed number of threads with results in job order, so the
// output never depends on the thread count or on scheduling.
import Foundation

enum Parallel {
    /// `body(job)` for every job in `0..<count`, on at most `threads` threads; results come
    /// back in job order. Worker `w` takes jobs `w, w + threads, …`. When jobs throw, the
    /// error of the lowest-numbered failing job is rethrown (deterministic).
    static func map<T>(_ count: Int, threads: Int, _ body: (Int) throws -> T) throws -> [T] {
        guard count > 0 else { return [] }
        let workers = max(1, min(threads, count))
        let slots = UnsafeMutableBufferPointer<Result<T, Error>?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        withoutActuallyEscaping(body) { body in
            let shared = UnsafeSendable((slots, body))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let (slots, body) = shared.value
                for job in stride(from: worker, to: count, by: workers) {
                    slots[job] = Result { try body(job) }
                }
            }
        }
        return try slots.map { try $0!.get() }
    }
}

/// Hands a value to concurrent workers that only touch disjoint parts of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
