// Verifying an index file's header and sections before anything reads them.
import SearchLabCore

/// Checks a mapped index file and hands out its sections.
struct IndexFileReader {
    let bytes: UnsafeRawBufferPointer
    let path: String

    /// An error naming the file, with the advice that always applies.
    func problem(_ what: String) -> SearchLabError {
        SearchLabError("\(path): \(what); rebuild it with `searchlab index`")
    }

    var sectionCount: Int { Int(bytes.readLE(12, as: UInt32.self)) }
    var headerLength: Int { IndexLayout.headerSize(sectionCount: sectionCount) }

    /// Every section, its checksum verified.
    func verifiedSections() throws -> [IndexSection: UnsafeRawBufferPointer] {
        guard bytes.count >= IndexLayout.prefixSize, bytes.prefix(8).elementsEqual(IndexLayout.magic) else {
            throw SearchLabError("\(path): not a SearchLab BM25 index (wrong magic bytes or too short)")
        }
        let version = bytes.readLE(8, as: UInt32.self)
        guard version == IndexLayout.version else {
            throw problem("index format version \(version) is not supported (this build reads version \(IndexLayout.version))")
        }
        let expected = bytes.readLE(16, as: UInt64.self)
        guard UInt64(bytes.count) == expected else {
            let what = UInt64(bytes.count) < expected ? "truncated" : "longer than its header says"
            throw problem("the index is \(what) (\(bytes.count) bytes, expected \(expected))")
        }
        guard sectionCount <= 64, headerLength <= bytes.count else { throw problem("the index header is corrupted") }
        var covered = Array(bytes[0..<24])
        covered += bytes[IndexLayout.prefixSize..<headerLength]
        guard XXH64.hash(covered) == bytes.readLE(24, as: UInt64.self) else {
            throw problem("the index header is corrupted (checksum mismatch)")
        }
        var sections: [IndexSection: UnsafeRawBufferPointer] = [:]
        for i in 0..<sectionCount {
            let entry = IndexLayout.prefixSize + i * IndexLayout.tableEntrySize
            let kind = bytes.readLE(entry, as: UInt32.self)
            let offset = Int(truncatingIfNeeded: bytes.readLE(entry + 8, as: UInt64.self))
            let length = Int(truncatingIfNeeded: bytes.readLE(entry + 16, as: UInt64.self))
            guard let section = IndexSection(rawValue: kind), sections[section] == nil else {
                throw problem("the index has an unknown or repeated section (kind \(kind))")
            }
            guard offset >= headerLength, offset % 8 == 0, length >= 0, length <= bytes.count, offset <= bytes.count - length else {
                throw problem("section \(section) lies outside the file")
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
            guard XXH64.hash(body) == bytes.readLE(entry + 24, as: UInt64.self) else {
                throw problem("section \(section) is corrupted (checksum mismatch)")
            }
            sections[section] = body
        }
        for section in IndexSection.allCases where sections[section] == nil {
            throw problem("section \(section) is missing")
        }
        return sections
    }

    /// Section `kind` as `count` little-endian integers.
    func array<T: FixedWidthInteger>(_ sections: [IndexSection: UnsafeRawBufferPointer], _ kind: IndexSection,
                                     count: Int) throws -> UnsafeBufferPointer<T> {
        let body = sections[kind]!
        guard count >= 0, body.count == count * MemoryLayout<T>.stride else {
            throw problem("section \(kind) has \(body.count) bytes, expected \(count) × \(MemoryLayout<T>.stride)")
        }
        return body.bindMemory(to: T.self)
    }

    /// Offsets start at 0, never decrease, and end exactly at `end`.
    func checkOffsets(_ offsets: UnsafeBufferPointer<UInt64>, end: Int, _ name: String) throws {
        var previous: UInt64 = 0
        for value in offsets {
            guard value >= previous else { throw problem("the \(name) are not in order") }
            previous = value
        }
        guard offsets.first == 0, offsets.last == UInt64(end) else {
            throw problem("the \(name) do not cover their data")
        }
    }
}
