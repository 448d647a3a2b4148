// Writes a world directory: corpus.jsonl streamed, the splits, then world.json. Each file
// goes to a temporary name first and is renamed into place only when all are written.
import Foundation
import SearchLabCore

extension World {
    /// Writes `corpus.jsonl`, `train.jsonl`, `test.jsonl` and `world.json` into `directory`.
    ///
    /// - Parameter force: replace the files of a non-empty directory; without it a
    ///   directory that holds anything is refused, so nothing stored is lost.
    /// - Returns: the manifest written.
    /// - Throws: ``SearchLabError`` / ``LocatedError``; no temporary file is left behind.
    @discardableResult
    public func write(to directory: URL, force: Bool = false) throws -> WorldManifest {
        try Self.prepare(directory, force: force)
        var temporaries: [(temporary: URL, final: URL)] = []
        defer { for file in temporaries { try? FileManager.default.removeItem(at: file.temporary) } }
        func temporary(_ name: String) -> URL {
            let pair = (directory.appendingPathComponent(".\(name).tmp-\(getpid())"), directory.appendingPathComponent(name))
            temporaries.append(pair)
            return pair.0
        }
        var digests: [String: WorldManifest.FileDigest] = [:]
        let corpus = temporary("corpus.jsonl")
        try writeCorpus(to: corpus)
        digests["corpus.jsonl"] = try WorldManifest.digest(ofFileAt: corpus.path)
        for (name, questions) in [("train.jsonl", train), ("test.jsonl", test)] {
            let url = temporary(name)
            try JSONLinesFile.write(to: url) { sink in
                for question in questions { try sink.append(CanonicalJSON.encode(question)) }
            }
            digests[name] = try WorldManifest.digest(ofFileAt: url.path)
        }
        let manifest = makeManifest(files: digests)
        let manifestURL = temporary(WorldManifest.fileName)
        try JSONLinesFile.write(to: manifestURL) { sink in
            try sink.append(Data(CanonicalJSON.prettyString(manifest).utf8))
        }
        for file in temporaries where rename(file.temporary.path, file.final.path) != 0 {
            throw SearchLabError("\(file.final.path): cannot move the new file into place (\(String(cString: strerror(errno))))")
        }
        temporaries.removeAll()
        return manifest
    }

    /// The manifest describing this world with the given file digests.
    public func makeManifest(files: [String: WorldManifest.FileDigest]) -> WorldManifest {
        var byType: [String: Int] = [:]
        for (type, list) in entitiesByType { byType[type.rawValue] = list.count }
        var bySource: [String: Int] = [:]
        for question in train + test { bySource[question.dataSource, default: 0] += 1 }
        return WorldManifest(
            generator: "searchlab-world", generatorVersion: World.generatorVersion, seed: config.seed, config: config,
            sizes: .init(entities: entities.count, passages: passageCount, train: train.count, test: test.count,
                         entitiesByType: byType, questionsBySource: bySource),
            files: files)
    }

    /// Streams every passage as one canonical JSON line.
    private func writeCorpus(to url: URL) throws {
        try JSONLinesFile.write(to: url) { sink in
            var line: [UInt8] = []
            try forEachPassage { document in
                line.removeAll(keepingCapacity: true)
                CorpusLine.append(document, to: &line)
                try sink.append(line)
            }
        }
    }

    /// Creates `directory` if needed; refuses a non-empty one unless `force`.
    static func prepare(_ directory: URL, force: Bool) throws {
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw SearchLabError("\(directory.path): exists and is not a directory; choose another --out")
            }
            let contents = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
            guard contents.isEmpty || force else {
                throw SearchLabError("\(directory.path): the directory is not empty; choose another --out or pass --force to replace its world files")
            }
        } else {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw SearchLabError("\(directory.path): cannot create the directory (\(error.localizedDescription))")
            }
        }
    }
}
