// A BM25 index file opened by memory map: the arrays are read in place, nothing is copied.
import Foundation
import SearchLabCore

/// A read-only, memory-mapped SearchLab BM25 index.
///
/// Opening checks the magic, version, length, the header checksum, every section's XXH64
/// checksum and the structure (offset tables monotone and in bounds, posting documents in
/// range), so a truncated, corrupted or foreign file is refused with a message instead of
/// being read as garbage. Safe to share between threads: it never changes after opening.
public final class BM25Index: @unchecked Sendable {
    /// The path the index was opened from.
    public let path: String
    public let metadata: IndexMetadata
    /// Lowercase hex SHA-256 of the header (covers every section checksum and the metadata).
    public let digest: String

    private let map: MemoryMap
    let termOffsets: UnsafeBufferPointer<UInt64>
    let termBytes: UnsafeRawBufferPointer
    let postingOffsets: UnsafeBufferPointer<UInt64>
    let postingDocuments: UnsafeBufferPointer<UInt32>
    let postingFrequencies: UnsafeBufferPointer<UInt32>
    let documentLengths: UnsafeBufferPointer<UInt32>
    let idRanks: UnsafeBufferPointer<UInt32>
    let idOffsets: UnsafeBufferPointer<UInt64>
    let idBytes: UnsafeRawBufferPointer
    let contentOffsets: UnsafeBufferPointer<UInt64>
    let contentBytes: UnsafeRawBufferPointer

    /// Opens and verifies the index at `path`.
    /// - Throws: ``SearchLabError`` naming the file and what is wrong with it.
    public init(path: String) throws {
        self.path = path
        map = try MemoryMap(path: path)
        let file = IndexFileReader(bytes: map.bytes, path: path)
        let sections = try file.verifiedSections()
        digest = CanonicalJSON.sha256Hex(UnsafeRawBufferPointer(rebasing: map.bytes[0..<file.headerLength]))
        do {
            metadata = try JSONDecoder().decode(IndexMetadata.self, from: Data(sections[.metadata]!))
        } catch {
            throw file.problem("the metadata section is not valid (\(error))")
        }
        let n = metadata.documentCount, t = metadata.termCount, p = metadata.postingCount
        termOffsets = try file.array(sections, .termOffsets, count: t + 1)
        termBytes = sections[.termBytes]!
        postingOffsets = try file.array(sections, .postingOffsets, count: t + 1)
        postingDocuments = try file.array(sections, .postingDocuments, count: p)
        postingFrequencies = try file.array(sections, .postingFrequencies, count: p)
        documentLengths = try file.array(sections, .documentLengths, count: n)
        idRanks = try file.array(sections, .idRanks, count: n)
        idOffsets = try file.array(sections, .idOffsets, count: n + 1)
        idBytes = sections[.idBytes]!
        contentOffsets = try file.array(sections, .contentOffsets, count: n + 1)
        contentBytes = sections[.contentBytes]!
        try checkStructure(file)
    }

    private func checkStructure(_ file: IndexFileReader) throws {
        try file.checkOffsets(termOffsets, end: termBytes.count, "term offsets")
        try file.checkOffsets(postingOffsets, end: metadata.postingCount, "posting offsets")
        try file.checkOffsets(idOffsets, end: idBytes.count, "id offsets")
        try file.checkOffsets(contentOffsets, end: contentBytes.count, "content offsets")
        let n = UInt32(truncatingIfNeeded: metadata.documentCount)
        if postingDocuments.contains(where: { $0 >= n }) { throw file.problem("a posting names a document out of range") }
        if documentLengths.reduce(0, { $0 + Int($1) }) != metadata.tokenCount {
            throw file.problem("document lengths do not add up to the token count")
        }
    }

    public var documentCount: Int { metadata.documentCount }
    public var termCount: Int { metadata.termCount }

    /// The number of the term spelled `term` (already analysed), or `nil` if the corpus never has it.
    public func termNumber(_ term: String) -> Int? {
        var key = term
        return key.withUTF8 { key in
            var lo = 0, hi = termCount
            while lo < hi {
                let mid = (lo + hi) / 2
                let c = compare(term: mid, key)
                if c == 0 { return mid }
                if c < 0 { lo = mid + 1 } else { hi = mid }
            }
            return nil
        }
    }

    private func compare(term t: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        let start = Int(termOffsets[t]), length = Int(termOffsets[t + 1]) - start
        let common = min(length, key.count)
        if common > 0 {
            let c = memcmp(termBytes.baseAddress! + start, key.baseAddress!, common)
            if c != 0 { return Int(c) }
        }
        return length - key.count
    }

    /// The spelling of term `t`.
    public func term(_ t: Int) -> String { string(termBytes, termOffsets, t) }

    /// n: the number of documents containing term `t`.
    public func documentFrequency(_ t: Int) -> Int { Int(postingOffsets[t + 1] - postingOffsets[t]) }

    /// Term `t`'s postings: document numbers ascending and their term frequencies. The buffers
    /// point into the memory map: valid only while this index is alive.
    public func postings(_ t: Int) -> (documents: UnsafeBufferPointer<UInt32>, frequencies: UnsafeBufferPointer<UInt32>) {
        let range = Int(postingOffsets[t])..<Int(postingOffsets[t + 1])
        return (UnsafeBufferPointer(rebasing: postingDocuments[range]), UnsafeBufferPointer(rebasing: postingFrequencies[range]))
    }

    /// dl: tokens in document `d` after analysis.
    public func documentLength(_ d: Int) -> Int { Int(documentLengths[d]) }

    /// Document `d`'s place in the byte order of ids; ties in score are broken by it.
    public func idRank(_ d: Int) -> Int { Int(idRanks[d]) }

    /// The corpus id of document `d` (documents are numbered in corpus line order).
    public func documentID(_ d: Int) -> String { string(idBytes, idOffsets, d) }

    /// The `contents` of document `d`, exactly as in the corpus.
    public func contents(_ d: Int) -> String { string(contentBytes, contentOffsets, d) }

    /// Document `d` as a corpus passage.
    public func document(_ d: Int) -> CorpusDocument { CorpusDocument(id: documentID(d), contents: contents(d)) }

    private func string(_ bytes: UnsafeRawBufferPointer, _ offsets: UnsafeBufferPointer<UInt64>, _ i: Int) -> String {
        String(decoding: bytes[Int(offsets[i])..<Int(offsets[i + 1])], as: UTF8.self)
    }
}
