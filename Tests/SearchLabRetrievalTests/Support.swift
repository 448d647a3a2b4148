import Foundation
import SearchLabRetrieval
import SearchLabTestSupport

/// Builds an index of a fixture corpus in a fresh temporary directory.
func buildFixtureIndex(_ corpus: String = "retrieval/small-corpus.jsonl",
                       options: IndexBuildOptions = IndexBuildOptions(threads: 2)) throws -> (index: BM25Index, directory: URL) {
    let directory = try Fixtures.temporaryDirectory()
    let path = directory.appendingPathComponent("test.index").path
    try IndexBuilder.build(corpusPath: Fixtures.url(corpus).path, outputPath: path, options: options)
    return (try BM25Index(path: path), directory)
}
