import Foundation
import SearchLabCore
import SearchLabTestSupport
@testable import SearchLabWorld

/// A small world written to a fresh directory, shared by the tests that only read it.
struct WrittenWorld {
    let world: World
    let directory: URL
    let manifest: WorldManifest

    init(_ config: WorldConfig) throws {
        world = try World.generate(config)
        directory = try Fixtures.temporaryDirectory().appendingPathComponent("world")
        manifest = try world.write(to: directory)
    }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func bytes(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// corpus.jsonl as id → contents, read from the file.
    func corpus() throws -> [String: String] {
        var result: [String: String] = [:]
        let text = try String(contentsOf: url("corpus.jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let document = try JSONDecoder().decode(CorpusDocument.self, from: Data(line.utf8))
            result[document.id] = document.contents
        }
        return result
    }

    func remove() { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
}

/// The default configuration with a given seed (the demo world).
func defaultConfig(seed: UInt64) -> WorldConfig { WorldConfig(seed: seed) }

/// A quick small world.
func smallConfig(seed: UInt64) -> WorldConfig {
    WorldConfig(seed: seed, entities: 60, passagesPerEntity: 3, train: 120, test: 30)
}
