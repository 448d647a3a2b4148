// Reading a Search-R1-format corpus: one JSON object per line with "id" and "contents".
import Foundation
import SearchLabCore

/// A corpus file split into its non-blank lines, with 1-based line numbers for errors.
struct CorpusFile {
    /// The path as the user named it (used in error messages).
    let name: String
    let data: Data
    /// Byte ranges of the non-blank lines (a trailing `\r` excluded) and their line numbers.
    let lines: [(number: Int, range: Range<Int>)]

    /// Reads `path` whole.
    /// - Throws: ``LocatedError`` when the file is missing or unreadable.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
            throw LocatedError(file: path, line: nil, message: "the corpus file \(reason)")
        }
        self.name = path
        self.data = data
        self.lines = data.withUnsafeBytes { CorpusFile.splitLines($0) }
    }

    private static func splitLines(_ bytes: UnsafeRawBufferPointer) -> [(number: Int, range: Range<Int>)] {
        var out: [(Int, Range<Int>)] = []
        var start = 0, number = 0
        let count = bytes.count
        while start < count {
            number += 1
            var end = count
            if let base = bytes.baseAddress, let hit = memchr(base + start, 0x0A, count - start) {
                end = base.distance(to: UnsafeRawPointer(hit))
            }
            var last = end
            if last > start, bytes[last - 1] == 0x0D { last -= 1 }
            if (start..<last).contains(where: { bytes[$0] != 0x20 && bytes[$0] != 0x09 }) {
                out.append((number, start..<last))
            }
            start = end + 1
        }
        return out
    }

    /// Parses line `index` of ``lines`` into a document.
    /// - Throws: ``LocatedError`` naming the line and what was expected.
    func document(at index: Int) throws -> CorpusDocument {
        let (number, range) = lines[index]
        do {
            return try CorpusFile.parseDocument(data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)])
        } catch let error as SearchLabError {
            throw LocatedError(file: name, line: number, message: error.message)
        }
    }

    static func parseDocument(_ line: Data) throws -> CorpusDocument {
        guard String(data: line, encoding: .utf8) != nil else { throw SearchLabError("not valid UTF-8 text") }
        // Fast path for the usual shape; anything unusual goes through the general reader,
        // which accepts the same lines and explains the bad ones.
        if let plain = try? JSONDecoder().decode(PlainLine.self, from: line) {
            return CorpusDocument(id: plain.id, contents: plain.contents)
        }
        let fields = try JSONFields(try JSONValue.parse(line),
                                    expected: #"a JSON object {"id": "...", "contents": "\"Title\"\ntext"}"#)
        guard let id = try fields.identifier("id") else {
            throw SearchLabError(#"missing field "id" (the passage id, a string)"#)
        }
        guard let contents = try fields.string("contents") else {
            throw SearchLabError(#"missing field "contents" (the passage, "\"Title\"\ntext")"#)
        }
        return CorpusDocument(id: id, contents: contents)
    }
}

/// A corpus line whose `id` and `contents` are both strings.
private struct PlainLine: Decodable {
    var id: String
    var contents: String
}
