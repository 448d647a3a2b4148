// The on-disk layout of a SearchLab BM25 index (format version 1).
//
//   offset 0   magic "SLBM25IX" (8 bytes)
//          8   format version (u32) = 1
//         12   section count (u32)
//         16   total file length in bytes (u64): a cheap truncation check
//         24   XXH64 of bytes 0..<24 followed by the section table (u64)
//         32   section table: per section {kind u32, reserved u32, offset u64, length u64, xxh64 u64}
//   then the sections, each starting on a 64-byte boundary (zero padding between them).
//
// Every integer is little-endian; arrays are flat and aligned so that a memory map of the
// file can be read in place. The SHA-256 of the header (bytes 0 ..< end of the table) is
// the index digest: it covers every section checksum and the metadata, which names the
// corpus by its own SHA-256.

/// The sections of an index file.
public enum IndexSection: UInt32, CaseIterable, Sendable {
    /// Canonical JSON ``IndexMetadata``.
    case metadata = 1
    /// u64[terms + 1]: where each term's UTF-8 bytes start in ``termBytes``.
    case termOffsets = 2
    /// The terms, sorted by their UTF-8 bytes, concatenated.
    case termBytes = 3
    /// u64[terms + 1]: where each term's postings start.
    case postingOffsets = 4
    /// u32[postings]: document numbers, ascending within a term.
    case postingDocuments = 5
    /// u32[postings]: term frequency in that document.
    case postingFrequencies = 6
    /// u32[documents]: tokens per document after analysis (BM25's dl).
    case documentLengths = 7
    /// u32[documents]: a document's rank when the ids are sorted by UTF-8 bytes (tie-break key).
    case idRanks = 8
    /// u64[documents + 1] and the ids' UTF-8 bytes.
    case idOffsets = 9
    case idBytes = 10
    /// u64[documents + 1] and the `contents` fields' UTF-8 bytes.
    case contentOffsets = 11
    case contentBytes = 12
}

/// Constants of the file layout.
enum IndexLayout {
    static let magic: [UInt8] = Array("SLBM25IX".utf8)
    static let version: UInt32 = 1
    static let prefixSize = 32
    static let tableEntrySize = 32
    static let alignment = 64

    static func headerSize(sectionCount: Int) -> Int { prefixSize + sectionCount * tableEntrySize }

    static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }
}

/// What an index records about how it was built. Stored as canonical JSON.
public struct IndexMetadata: Codable, Hashable, Sendable {
    /// The analyzer that produced the terms; queries must use the same.
    public var analyzer: AnalyzerSettings
    /// BM25 parameters chosen at build time (searches may override them).
    public var k1: Double
    public var b: Double
    public var documentCount: Int
    public var termCount: Int
    public var postingCount: Int
    /// Σ dl over the corpus; avgdl = tokenCount / documentCount.
    public var tokenCount: Int
    /// The corpus file's name as given, its byte count and SHA-256.
    public var corpus: CorpusProvenance

    public struct CorpusProvenance: Codable, Hashable, Sendable {
        public var name: String
        public var bytes: Int
        public var sha256: String
    }

    /// avgdl, computed as bm25s and Lucene do: total tokens / documents.
    public var averageDocumentLength: Double {
        documentCount == 0 ? 0 : Double(tokenCount) / Double(documentCount)
    }
}

/// One entry of the section table.
struct SectionEntry: Equatable {
    var kind: UInt32
    var offset: Int
    var length: Int
    var checksum: UInt64
}

/// Little-endian byte writing for the header.
extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    func readLE<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
