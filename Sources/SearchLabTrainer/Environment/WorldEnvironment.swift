// A simulated world on disk, opened for training: its questions, its corpus, and the
// search engine the run's config names (a BM25 index is built next to the world on first use).
import Foundation
import SearchLabCore
import SearchLabEngines
import SearchLabRetrieval
import SearchLabWorld

/// The world a run trains and evaluates in.
public struct WorldEnvironment: Sendable {
    public let directory: URL
    public let manifest: WorldManifest
    public let train: [WorldQuestion]
    public let test: [WorldQuestion]

    /// Opens `directory` (as `searchlab world` wrote it) after checking the manifest's digests.
    public init(directory: URL) throws {
        self.directory = directory
        manifest = try WorldManifest.read(directory: directory)
        try manifest.verify(directory: directory)
        train = try WorldDataset.read(directory: directory, split: "train")
        test = try WorldDataset.read(directory: directory, split: "test")
    }

    public var corpusPath: String { directory.appendingPathComponent("corpus.jsonl").path }

    /// The corpus passages, in file order.
    public func corpus() throws -> [CorpusDocument] { try CorpusFile(path: corpusPath).documents }

    /// The engine named by `kind` (`bm25`, `random`, `empty`, `oracle`), over this world.
    public func engine(_ kind: String, seed: UInt64) throws -> any SearchEngine {
        guard let parsed = EngineKind(rawValue: kind), parsed != .http, parsed != .recorded else {
            throw SearchLabError("retriever.engine \(kind) is not available for simulated training: expected bm25, random, empty or oracle")
        }
        var spec = EngineSpec(kind: parsed)
        spec.worldDirectory = directory.path
        spec.seed = seed
        return try EngineFactory.make(spec)
    }
}
