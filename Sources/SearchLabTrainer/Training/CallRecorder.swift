// Remembers every engine call of a step, so the run database holds the retrieval log
// next to the trajectories that used it.
import Foundation
import SearchLabCore

/// A pass-through engine that keeps the calls it forwarded until they are drained.
public final class CallRecorder: SearchEngine, @unchecked Sendable {
    public struct Call: Sendable {
        public var query: String
        public var topK: Int
        public var hits: [SearchHit]
    }

    let inner: any SearchEngine
    private let lock = NSLock()
    private var calls: [Call] = []

    public init(_ inner: any SearchEngine) { self.inner = inner }

    public var fingerprint: String { inner.fingerprint }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        let answers = try await inner.search(queries, topK: topK)
        lock.withLock { calls += zip(queries, answers).map { Call(query: $0, topK: topK, hits: $1) } }
        return answers
    }

    /// The calls since the last drain, in the order they were made.
    public func drain() -> [Call] {
        lock.withLock {
            defer { calls = [] }
            return calls
        }
    }
}
