import Foundation
import SearchLabCore
import Testing
@testable import SearchLabWorld

@Suite struct WorldScaleTests {
    /// A moderate world (50,000 passages) streams to disk and stays consistent; the
    /// million-passage figure is measured by `make bench-world`, not here.
    @Test func fiftyThousandPassagesStreamAndVerify() throws {
        let config = WorldConfig(seed: 21, entities: 10_000, passagesPerEntity: 5, train: 5000, test: 1000)
        let w = try WrittenWorld(config)
        defer { w.remove() }
        #expect(w.manifest.sizes.passages == 50_000)
        #expect(w.manifest.files["corpus.jsonl"]?.lines == 50_000)
        #expect(w.manifest.files["train.jsonl"]?.lines == 5000 && w.manifest.files["test.jsonl"]?.lines == 1000)
        try w.manifest.verify(directory: w.directory)
        // Spot-check that passages rendered on demand equal the streamed lines.
        let corpus = try w.corpus()
        #expect(corpus.count == 50_000)
        for id in stride(from: 0, to: 50_000, by: 997) {
            #expect(corpus[String(id)] == w.world.passage(id).contents)
        }
        // Names stay unique within each type at this size.
        for type in EntityType.allCases {
            let names = w.world.entities.filter { $0.type == type }.map(\.name)
            #expect(Set(names).count == names.count, "\(type) names repeat")
        }
    }
}
