// Remembers every engine call of a step, so the run database holds the retrieval log
// next to the trajectories that used it.
import Foundation
import SearchLabCore

/// A pass-through engine that keeps the calls it forwarded until they are drained.
public final class CallRecorder: QuestionAwareSearchEngine, @unchecked Sendable {
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
        record(queries, topK: topK, answers: try await inner.search(queries, topK: topK))
    }

    /// Forwards the question ids when the wrapped engine uses them (the oracle).
    public func search(_ queries: [String], questionIDs: [String], topK: Int) async throws -> [[SearchHit]] {
        guard let aware = inner as? any QuestionAwareSearchEngine else { return try await search(queries, topK: topK) }
        return record(queries, topK: topK, answers: try await aware.search(queries, questionIDs: questionIDs, topK: topK))
    }

    private func record(_ queries: [String], topK: Int, answers: [[SearchHit]]) -> [[SearchHit]] {
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
