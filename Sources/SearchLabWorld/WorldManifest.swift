// world.json: what a world directory holds and how to check it has not changed.
import Foundation
import SearchLabCore

/// The manifest of a world directory: seed, configuration, sizes, generator version and
/// a SHA-256 digest of each data file.
public struct WorldManifest: Codable, Hashable, Sendable {
    public static let fileName = "world.json"
    /// The data files of a world directory, in the order they are written.
    public static let dataFiles = ["corpus.jsonl", "train.jsonl", "test.jsonl"]

    public var generator: String
    public var generatorVersion: Int
    public var seed: UInt64
    public var config: WorldConfig
    public var sizes: Sizes
    /// File name → digest, for each of ``dataFiles``.
    public var files: [String: FileDigest]

    public struct Sizes: Codable, Hashable, Sendable {
        public var entities: Int
        public var passages: Int
        public var train: Int
        public var test: Int
        /// Entity type name → count.
        public var entitiesByType: [String: Int]
        /// `data_source` → number of questions over both splits.
        public var questionsBySource: [String: Int]

        enum CodingKeys: String, CodingKey {
            case entities, passages, train, test
            case entitiesByType = "entities_by_type"
            case questionsBySource = "questions_by_source"
        }
    }

    public struct FileDigest: Codable, Hashable, Sendable {
        public var bytes: Int
        public var lines: Int
        /// Lowercase hex SHA-256 of the file's bytes.
        public var sha256: String
    }

    enum CodingKeys: String, CodingKey {
        case generator, seed, config, sizes, files
        case generatorVersion = "generator_version"
    }

    /// Reads `DIR/world.json`.
    /// - Throws: ``LocatedError`` naming the file.
    public static func read(directory: URL) throws -> WorldManifest {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw LocatedError(file: url.path, line: nil, message: "no world manifest here (expected the output of `searchlab world`)")
        }
        do {
            return try JSONDecoder().decode(WorldManifest.self, from: data)
        } catch {
            throw LocatedError(file: url.path, line: nil, message: "not a world manifest (\(error))")
        }
    }

    /// Recomputes each file's digest and compares.
    /// - Throws: ``LocatedError`` naming the first file that is missing or changed.
    public func verify(directory: URL) throws {
        for name in Self.dataFiles.sorted() {
            let path = directory.appendingPathComponent(name).path
            guard let expected = files[name] else {
                throw LocatedError(file: path, line: nil, message: "not listed in \(Self.fileName)")
            }
            let actual = try Self.digest(ofFileAt: path)
            guard actual == expected else {
                throw LocatedError(file: path, line: nil, message: "does not match \(Self.fileName) (sha256 \(actual.sha256), expected \(expected.sha256))")
            }
        }
    }

    /// The digest of a file, read through a memory map so huge corpora are not copied.
    static func digest(ofFileAt path: String) throws -> FileDigest {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw LocatedError(file: path, line: nil, message: "cannot be read")
        }
        let lines = data.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
        return FileDigest(bytes: data.count, lines: lines, sha256: CanonicalJSON.sha256Hex(data))
    }
}
