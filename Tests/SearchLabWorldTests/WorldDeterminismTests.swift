import Foundation
import SearchLabCore
import Testing
@testable import SearchLabWorld

@Suite struct WorldDeterminismTests {
    @Test func sameSeedGivesByteIdenticalFiles() throws {
        let a = try WrittenWorld(defaultConfig(seed: 7)), b = try WrittenWorld(defaultConfig(seed: 7))
        defer { a.remove(); b.remove() }
        #expect(a.manifest == b.manifest)
        for name in WorldManifest.dataFiles + [WorldManifest.fileName] {
            #expect(try a.bytes(name) == b.bytes(name), "\(name) differs between two runs")
        }
    }

    @Test func differentSeedsGiveDifferentWorlds() throws {
        let a = try World.generate(smallConfig(seed: 1)), b = try World.generate(smallConfig(seed: 2))
        #expect(a.entities.map(\.name) != b.entities.map(\.name))
        #expect(a.passage(0) != b.passage(0))
        #expect(a.train.map(\.question) != b.train.map(\.question))
    }

    @Test func manifestDigestsMatchFiles() throws {
        let w = try WrittenWorld(smallConfig(seed: 3))
        defer { w.remove() }
        for name in WorldManifest.dataFiles {
            let data = try w.bytes(name)
            let digest = try #require(w.manifest.files[name])
            #expect(digest.sha256 == CanonicalJSON.sha256Hex(data))
            #expect(digest.bytes == data.count)
        }
        #expect(w.manifest.files["corpus.jsonl"]?.lines == w.world.passageCount)
        #expect(try WorldManifest.read(directory: w.directory) == w.manifest)
        try w.manifest.verify(directory: w.directory)
        #expect(w.manifest.seed == 3 && w.manifest.generatorVersion == World.generatorVersion)
        #expect(w.manifest.sizes.train == 120 && w.manifest.sizes.test == 30 && w.manifest.sizes.passages == 180)
    }

    @Test func manifestConfigRegeneratesTheSameWorld() throws {
        let config = WorldConfig(seed: 6, entities: 90, relations: [.bornIn, .locatedIn, .hasCapital, .foundedBy],
                                 passagesPerEntity: 4, train: 60, test: 15, hops: [1, 2])
        let w = try WrittenWorld(config)
        defer { w.remove() }
        let again = try WrittenWorld(WorldManifest.read(directory: w.directory).config)
        defer { again.remove() }
        #expect(again.manifest == w.manifest)
    }

    @Test func verifyNamesAChangedFile() throws {
        let w = try WrittenWorld(smallConfig(seed: 4))
        defer { w.remove() }
        var data = try w.bytes("test.jsonl")
        data[10] ^= 1
        try data.write(to: w.url("test.jsonl"))
        #expect {
            try w.manifest.verify(directory: w.directory)
        } throws: { error in
            "\(error)".contains("test.jsonl") && "\(error)".contains("does not match world.json")
        }
    }

    @Test func renderedPassagesEqualTheFile() throws {
        let w = try WrittenWorld(smallConfig(seed: 5))
        defer { w.remove() }
        let lines = try String(contentsOf: w.url("corpus.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == w.world.passageCount)
        for (id, line) in lines.enumerated() {
            // The fast corpus encoder must agree with the canonical encoder byte for byte.
            #expect(String(line) == (try CanonicalJSON.string(w.world.passage(id))))
        }
    }

    @Test func fastEscapingMatchesCanonicalJSON() throws {
        let awkward = "a\"b\\c/d\ne\rf\tg\u{08}h\u{0C}i\u{01}j\u{1F}k é ✓ 🙂"
        var out: [UInt8] = []
        CorpusLine.append(CorpusDocument(id: "x/1", contents: awkward), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == (try CanonicalJSON.string(CorpusDocument(id: "x/1", contents: awkward))))
    }
}
