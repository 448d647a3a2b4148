// Writing an index file: sections laid out, checksummed, and written to a temporary file
// that is renamed into place, so a failed build never leaves a half-written index.
import Foundation
import SearchLabCore

enum IndexWriter {
    /// A section's bytes, kept in their typed arrays until written.
    enum Payload {
        case bytes([UInt8])
        case u32([UInt32])
        case u64([UInt64])

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            switch self {
            case .bytes(let a): return try a.withUnsafeBytes(body)
            case .u32(let a): return try a.withUnsafeBytes(body)
            case .u64(let a): return try a.withUnsafeBytes(body)
            }
        }

        var count: Int { withBytes { $0.count } }
    }

    static func write(_ index: BuiltIndex, to path: String) throws {
        precondition(UInt32(1).littleEndian == 1, "index files are little-endian; big-endian hosts are not supported")
        let sections = try payloads(index)
        var entries: [SectionEntry] = []
        var offset = IndexLayout.aligned(IndexLayout.headerSize(sectionCount: sections.count))
        for (kind, payload) in sections {
            let checksum = payload.withBytes { XXH64.hash($0) }
            entries.append(SectionEntry(kind: kind.rawValue, offset: offset, length: payload.count, checksum: checksum))
            offset = IndexLayout.aligned(offset + payload.count)
        }
        let fileLength = entries.last.map { $0.offset + $0.length } ?? offset
        let header = headerBytes(entries, fileLength: fileLength)
        try writeAtomically(path) { handle in
            try handle.write(contentsOf: header)
            var position = header.count
            for ((_, payload), entry) in zip(sections, entries) {
                try handle.write(contentsOf: [UInt8](repeating: 0, count: entry.offset - position))
                try payload.withBytes { try handle.write(contentsOf: $0) }
                position = entry.offset + entry.length
            }
        }
    }

    static func headerBytes(_ entries: [SectionEntry], fileLength: Int) -> [UInt8] {
        var table: [UInt8] = []
        for entry in entries {
            table.appendLE(entry.kind)
            table.appendLE(UInt32(0))
            table.appendLE(UInt64(entry.offset))
            table.appendLE(UInt64(entry.length))
            table.appendLE(entry.checksum)
        }
        var prefix = IndexLayout.magic
        prefix.appendLE(IndexLayout.version)
        prefix.appendLE(UInt32(entries.count))
        prefix.appendLE(UInt64(fileLength))
        let checksum = XXH64.hash(prefix + table)
        prefix.appendLE(checksum)
        return prefix + table
    }

    private static func payloads(_ index: BuiltIndex) throws -> [(IndexSection, Payload)] {
        let (termOffsets, termBytes) = concatenate(index.vocabulary.terms)
        let (idOffsets, idBytes) = concatenate(index.ids.ids)
        let (contentOffsets, contentBytes) = concatenate(index.contents)
        return [
            (.metadata, .bytes(Array(try CanonicalJSON.encode(index.metadata)))),
            (.termOffsets, .u64(termOffsets)), (.termBytes, .bytes(termBytes)),
            (.postingOffsets, .u64(index.postings.offsets)),
            (.postingDocuments, .u32(index.postings.documents)),
            (.postingFrequencies, .u32(index.postings.frequencies)),
            (.documentLengths, .u32(index.lengths)),
            (.idRanks, .u32(index.ids.ranks)),
            (.idOffsets, .u64(idOffsets)), (.idBytes, .bytes(idBytes)),
            (.contentOffsets, .u64(contentOffsets)), (.contentBytes, .bytes(contentBytes)),
        ]
    }

    /// Strings as one UTF-8 blob plus `count + 1` start offsets.
    static func concatenate(_ strings: [String]) -> ([UInt64], [UInt8]) {
        var offsets: [UInt64] = [0]
        offsets.reserveCapacity(strings.count + 1)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count })
        for s in strings {
            bytes.append(contentsOf: s.utf8)
            offsets.append(UInt64(bytes.count))
        }
        return (offsets, bytes)
    }

    /// Writes through `body` into `path.tmp-<pid>` beside `path`, then renames it over `path`.
    static func writeAtomically(_ path: String, _ body: (FileHandle) throws -> Void) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw SearchLabError("\(path): cannot create the index file (is the directory writable?)")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            try body(handle)
            try handle.synchronize()
            guard rename(temporary, path) == 0 else {
                throw SearchLabError("\(path): cannot move the finished index into place (errno \(errno))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
