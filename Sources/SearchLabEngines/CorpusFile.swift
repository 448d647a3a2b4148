// Reading a Search-R1-format corpus (`{"id": "...", "contents": "\"Title\"\ntext"}` per
// line) for the engines that sample or resolve passages from it.
import Foundation
import SearchLabCore

/// A corpus JSONL file read whole: its passages in file order and the SHA-256 of its bytes
/// (the `index_digest` of engines that answer from it).
public struct CorpusFile: Sendable {
    /// Passages in file order.
    public let documents: [CorpusDocument]
    /// Lowercase hex SHA-256 of the file's bytes.
    public let digest: String
    /// Position of each id in ``documents``.
    public let positions: [String: Int]

    /// Reads and checks `path`.
    /// - Throws: ``LocatedError`` (`FILE:LINE: …`) for an unreadable file, a line that is
    ///   not a JSON object with a string-or-integer `id` and a string `contents`, or a
    ///   duplicate id.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
            throw LocatedError(file: path, line: nil, message: "the corpus file \(reason)")
        }
        try self.init(data: data, name: path)
    }

    /// Parses corpus bytes; `name` is used in error messages.
    public init(data: Data, name: String) throws {
        let decoder = JSONDecoder()
        var documents: [CorpusDocument] = []
        var positions: [String: Int] = [:]
        var firstLines: [String: Int] = [:]
        for (number, line) in NumberedLines.split(data) {
            let document: CorpusDocument
            do {
                document = try CorpusFile.parse(line, decoder: decoder)
            } catch let error as SearchLabError {
                throw LocatedError(file: name, line: number, message: error.message)
            }
            if let first = firstLines[document.id] {
                throw LocatedError(file: name, line: number,
                                   message: "duplicate passage id \"\(document.id)\" (first seen on line \(first))")
            }
            firstLines[document.id] = number
            positions[document.id] = documents.count
            documents.append(document)
        }
        self.documents = documents
        self.positions = positions
        self.digest = CanonicalJSON.sha256Hex(data)
    }

    /// The passage with `id`, if the corpus has it.
    public func document(id: String) -> CorpusDocument? {
        positions[id].map { documents[$0] }
    }

    /// A well-formed line decodes directly (several times faster than going through
    /// `JSONValue`); anything else takes the slow path, which says what is wrong.
    static func parse(_ line: Data, decoder: JSONDecoder) throws -> CorpusDocument {
        if let fast = try? decoder.decode(FastLine.self, from: line) {
            return CorpusDocument(id: fast.id.text, contents: fast.contents)
        }
        return try parseExplaining(line)
    }

    static func parseExplaining(_ line: Data) throws -> CorpusDocument {
        let fields = try JSONFields(try JSONValue.parse(line), expected: #"a passage object {"id", "contents"}"#)
        guard let id = try fields.identifier("id") else {
            throw SearchLabError(#"missing field "id" (a string or an integer)"#)
        }
        guard let contents = try fields.string("contents") else {
            throw SearchLabError(#"missing field "contents" (a string: "\"Title\"\ntext")"#)
        }
        return CorpusDocument(id: id, contents: contents)
    }
}

/// The two fields of a corpus line, for the fast path.
struct FastLine: Decodable {
    /// A string id, or an integer id kept as its decimal text.
    struct ID: Decodable {
        var text: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else {
                text = String(try container.decode(Int64.self))
            }
        }
    }

    var id: ID
    var contents: String
}
