// Fast, buffered output of JSON lines; the corpus writer's hot path.
import Foundation
import SearchLabCore

/// A file being written in large buffered chunks.
struct JSONLinesFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let chunk = 1 << 22

    /// Creates (truncates) `url`, lets `body` append lines, then flushes and closes.
    static func write(to url: URL, _ body: (inout JSONLinesFile) throws -> Void) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw SearchLabError("\(url.path): cannot create the file")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var file = JSONLinesFile(handle: handle)
        file.buffer.reserveCapacity(chunk + 65_536)
        try body(&file)
        try file.flush()
        try handle.synchronize()
    }

    private init(handle: FileHandle) { self.handle = handle }

    /// Appends `bytes` and a newline.
    mutating func append(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.chunk { try flush() }
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A corpus line byte-identical to `CanonicalJSON.encode(CorpusDocument)`
/// (`{"contents":"…","id":"…"}`), without the cost of `JSONEncoder` per passage.
enum CorpusLine {
    static func append(_ document: CorpusDocument, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"contents":""#.utf8)
        appendEscaped(document.contents, to: &out)
        out.append(contentsOf: #"","id":""#.utf8)
        appendEscaped(document.id, to: &out)
        out.append(contentsOf: #""}"#.utf8)
    }

    /// JSON string escaping as Foundation's encoder does it with `.withoutEscapingSlashes`.
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20: out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
    }
}
