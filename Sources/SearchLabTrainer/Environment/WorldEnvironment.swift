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
    public var indexPath: String { directory.appendingPathComponent("bm25.index").path }

    /// The corpus passages, in file order.
    public func corpus() throws -> [CorpusDocument] { try CorpusFile(path: corpusPath).documents }

    /// The world's BM25 index, built (with pyserini's k1/b) if it is not there yet.
    public func bm25Index() throws -> String {
        if !FileManager.default.fileExists(atPath: indexPath) {
            try IndexBuilder.build(corpusPath: corpusPath, outputPath: indexPath, options: IndexBuildOptions())
        }
        return indexPath
    }

    /// The engine named by `kind` (`bm25`, `random`, `empty`, `oracle`), over this world.
    public func engine(_ kind: String, seed: UInt64) throws -> any SearchEngine {
        guard let parsed = EngineKind(rawValue: kind), parsed != .http, parsed != .recorded else {
            throw SearchLabError("retriever.engine \(kind) is not available for simulated training: expected bm25, random, empty or oracle")
        }
        var spec = EngineSpec(kind: parsed)
        spec.seed = seed
        switch parsed {
        case .bm25: spec.indexPath = try bm25Index()
        case .random: spec.corpusPath = corpusPath
        case .oracle:
            // Training and validation both search: the oracle knows every question's passages.
            let corpus = try CorpusFile(path: corpusPath)
            var data = Data()
            for split in ["train", "test"] {
                data += try Data(contentsOf: directory.appendingPathComponent("\(split).jsonl"))
                if data.last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
            }
            let dataset = try OracleDataset(data: data, name: directory.appendingPathComponent("{train,test}.jsonl").path, corpus: corpus)
            return OracleEngine(dataset: dataset, corpus: corpus, fill: .random(seed: seed))
        default: break
        }
        return try EngineFactory.make(spec)
    }
}
