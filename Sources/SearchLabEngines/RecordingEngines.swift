// Engines over a retrieval log: one that records any engine, one that replays.
import Foundation
import SearchLabCore

/// Wraps any engine and records every call it answers in a ``RetrievalLog``, under the
/// wrapped engine's fingerprint. The answers pass through unchanged.
public struct RecordingEngine: SearchEngine {
    public let base: any SearchEngine
    public let log: RetrievalLog

    public init(_ base: any SearchEngine, log: RetrievalLog) {
        self.base = base
        self.log = log
    }

    public var fingerprint: String { base.fingerprint }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        let answers = try await base.search(queries, topK: topK)
        let calls = zip(queries, answers).map { RecordedCall(query: $0, topK: topK, hits: $1) }
        try log.record(fingerprint: base.fingerprint, calls: calls)
        return answers
    }
}

/// A query that a strict replay has no recorded answer for.
public struct ReplayMiss: Error, Hashable, Sendable, CustomStringConvertible {
    public var query: String
    public var topK: Int
    public var fingerprint: String
    public var logPath: String

    public var description: String {
        "no recorded answer in \(logPath) for query \(JSONQuote.quote(query)) with top-k \(topK) "
            + "under engine \(fingerprint); record it first (--record) or fall through with --on-miss ENGINE"
    }
}

/// Answers from a retrieval log, exactly as recorded: same documents, same order, same
/// scores (a `REAL` column holds a `Double` bit for bit).
///
/// A call is replayed only for the same fingerprint, the same query text (compared byte
/// for byte) and the same top-k. On a miss it throws ``ReplayMiss``, unless `onMiss` is
/// given: then the missed queries go to that live engine, whose answers are recorded in
/// the log under the live engine's own fingerprint and returned.
public struct RecordedEngine: SearchEngine {
    public let log: RetrievalLog
    /// The fingerprint whose calls are replayed.
    public let replayed: String
    /// Live fall-through for misses (already recording into `log`).
    public let onMiss: RecordingEngine?

    public init(log: RetrievalLog, fingerprint: String, onMiss: (any SearchEngine)? = nil) {
        self.log = log
        self.replayed = fingerprint
        self.onMiss = onMiss.map { RecordingEngine($0, log: log) }
    }

    /// A replay of the only engine recorded in `log`.
    /// - Throws: ``SearchLabError`` when the log holds no engine or several (then the
    ///   fingerprint has to be named).
    public static func soleFingerprint(in log: RetrievalLog) throws -> String {
        let recorded = try log.fingerprints()
        guard recorded.count == 1 else {
            let listing = recorded.isEmpty ? "none" : recorded.joined(separator: "\n  ")
            throw SearchLabError("\(log.path): replaying needs exactly one recorded engine or --fingerprint; recorded engines: \(listing)")
        }
        return recorded[0]
    }

    public var fingerprint: String { replayed }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        let recorded = try log.lookup(fingerprint: replayed, queries: queries, topK: topK)
        let missed = queries.indices.filter { recorded[$0] == nil }
        guard !missed.isEmpty else { return recorded.map { $0! } }
        guard let onMiss else {
            throw ReplayMiss(query: queries[missed[0]], topK: topK, fingerprint: replayed, logPath: log.path)
        }
        let live = try await onMiss.search(missed.map { queries[$0] }, topK: topK)
        var answers = recorded
        for (index, hits) in zip(missed, live) { answers[index] = hits }
        return answers.map { $0 ?? [] }
    }
}

/// Quoting a query for an error message as a JSON string, so quotes and newlines stay visible.
enum JSONQuote {
    static func quote(_ text: String) -> String {
        (try? CanonicalJSON.string(text)) ?? "\"\(text)\""
    }
}
