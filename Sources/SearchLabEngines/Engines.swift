// SearchLabEngines: every search engine behind `SearchEngine` — random, empty, oracle,
// http, recorded, bm25 — and the SQLite retrieval log that
// records and replays them.
import Foundation
import SearchLabCore

/// What identifies an engine's answers: the engine, the digest of the data it searches,
/// and every parameter that changes a ranking.
///
/// Its ``description`` (canonical JSON, sorted keys) is the `fingerprint` string engines
/// report, so the retrieval log can store the three parts in their own columns and a
/// recorded answer is only replayed for exactly the same engine.
public struct EngineFingerprint: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Engine name: `random`, `empty`, `oracle`, `http`, `bm25`, …
    public var engine: String
    /// SHA-256 of the corpus or index the engine answers from; `nil` when there is none.
    public var indexDigest: String?
    /// Parameters as text (`"seed": "7"`, `"k1": "0.9"`), sorted by key when encoded.
    public var parameters: [String: String]

    public init(engine: String, indexDigest: String? = nil, parameters: [String: String] = [:]) {
        self.engine = engine
        self.indexDigest = indexDigest
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case engine
        case indexDigest = "index_digest"
        case parameters
    }

    /// Reads a fingerprint string back; `nil` when it is not one SearchLab wrote (an
    /// engine with a free-form fingerprint).
    public init?(parsing text: String) {
        guard let decoded = try? JSONDecoder().decode(EngineFingerprint.self, from: Data(text.utf8)),
              decoded.description == text else { return nil }
        self = decoded
    }

    /// The canonical JSON text, e.g. `{"engine":"random","index_digest":"…","parameters":{"seed":"7"}}`.
    public var description: String {
        // Strings, optionals and a string dictionary always encode; the fallback is unreachable.
        (try? CanonicalJSON.string(self)) ?? engine
    }
}

/// An engine with nothing to search: every query gets an empty list. The "no retrieval"
/// ablation: the policy still has to learn to answer without evidence.
public struct EmptyEngine: SearchEngine {
    public init() {}

    public var fingerprint: String { EngineFingerprint(engine: "empty").description }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { _ in [] }
    }
}
