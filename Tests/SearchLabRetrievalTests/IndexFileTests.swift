import Foundation
import SearchLabCore
import SearchLabRetrieval
import SearchLabTestSupport
import Testing

/// The index file: round trip, determinism, and refusal of damaged files.
struct IndexFileTests {
    static func corpusLines(_ name: String) throws -> [CorpusDocument] {
        try Fixtures.text(name).split(separator: "\n").map {
            try JSONDecoder().decode(CorpusDocument.self, from: Data($0.utf8))
        }
    }

    @Test(arguments: ["retrieval/small-corpus.jsonl", "search-r1/example-corpus.jsonl"])
    func roundTripKeepsEveryDocument(_ corpus: String) throws {
        let (index, directory) = try buildFixtureIndex(corpus)
        defer { try? FileManager.default.removeItem(at: directory) }
        let documents = try Self.corpusLines(corpus)
        #expect(index.documentCount == documents.count)
        for (d, document) in documents.enumerated() {
            #expect(index.document(d) == document)
            let terms = Analyzer(.bm25sDefault).terms(document.contents)
            #expect(index.documentLength(d) == terms.count)
        }
        #expect(index.metadata.k1 == 0.9 && index.metadata.b == 0.4)
        #expect(index.metadata.analyzer == .bm25sDefault)
        #expect(index.metadata.corpus.sha256 == CanonicalJSON.sha256Hex(try Data(contentsOf: Fixtures.url(corpus))))
        // Terms are sorted by bytes and findable.
        let terms = (0..<index.termCount).map(index.term)
        #expect(terms == terms.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for (t, term) in terms.enumerated() { #expect(index.termNumber(term) == t) }
        #expect(index.termNumber("zzzz-not-a-term") == nil)
    }

    @Test func sameCorpusSameBytesWhateverTheThreadCount() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [Data] = []
        for threads in [1, 2, 3, 7] {
            let path = directory.appendingPathComponent("t\(threads).index").path
            try IndexBuilder.build(corpusPath: Fixtures.url("search-r1/example-corpus.jsonl").path, outputPath: path,
                                   options: IndexBuildOptions(threads: threads))
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(Set(files).count == 1)
    }

    /// Builds the small index and returns its bytes and a path to write variants to.
    static func damaged(_ damage: (inout [UInt8]) -> Void) throws -> String {
        let (index, directory) = try buildFixtureIndex()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: index.path)))
        damage(&bytes)
        let path = directory.appendingPathComponent("damaged.index").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func refusal(_ path: String) -> String? {
        do {
            _ = try BM25Index(path: path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func truncatedIndexIsRefused() throws {
        for keep in [0, 7, 31, 200, 1000] {
            let path = try Self.damaged { $0 = Array($0.prefix(keep)) }
            let message = try #require(Self.refusal(path))
            #expect(message.contains("truncated") || message.contains("not a SearchLab BM25 index"), "\(keep): \(message)")
        }
        let path = try Self.damaged { $0.removeLast(1) }
        #expect(Self.refusal(path)?.contains("truncated") == true)
    }

    @Test func everyFlippedByteIsDetected() throws {
        let (index, directory) = try buildFixtureIndex()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: index.path)))
        // A flip in the header, in each section, and in padding-free data regions.
        let step = max(1, original.count / 97)
        var undetected: [Int] = []
        for position in stride(from: 0, to: original.count, by: step) {
            var bytes = original
            bytes[position] ^= 0x5A
            let path = directory.appendingPathComponent("flip.index").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if Self.refusal(path) == nil, !Self.isPadding(position, in: original) { undetected.append(position) }
        }
        #expect(undetected.isEmpty, "undetected flips at \(undetected)")
    }

    /// Zero padding between sections is not covered by any checksum (it carries nothing).
    static func isPadding(_ position: Int, in bytes: [UInt8]) -> Bool {
        let count = Int(bytes[12])
        for i in 0..<count {
            let entry = 32 + i * 32
            let offset = bytes[(entry + 8)..<(entry + 16)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let length = bytes[(entry + 16)..<(entry + 24)].reversed().reduce(0) { $0 << 8 | Int($1) }
            if (offset..<(offset + length)).contains(position) { return false }
        }
        return position >= 32 + count * 32
    }

    @Test func foreignAndFutureFilesAreRefused() throws {
        let foreign = try Self.damaged { $0[0] = UInt8(ascii: "X") }
        #expect(Self.refusal(foreign)?.contains("not a SearchLab BM25 index") == true)
        let future = try Self.damaged { $0[8] = 2 }
        #expect(Self.refusal(future)?.contains("version 2 is not supported") == true)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.index").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(Self.refusal(empty)?.contains("not a SearchLab BM25 index") == true)
        #expect(Self.refusal(directory.appendingPathComponent("missing.index").path)?.contains("does not exist") == true)
    }

    @Test func checksumMatchesPublishedXXH64Vectors() {
        #expect(XXH64.hash([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        // From the `xxhash` Python package: 32-byte stripes plus every tail length class.
        let data = (0..<768).map { UInt8($0 % 256) }
        #expect(XXH64.hash(data) == 0x8E03_C838_C596_036F)
        #expect(XXH64.hash(Array(data.prefix(45))) == 0x10FD_D84D_6409_ABDF)
        #expect(XXH64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    }
}
