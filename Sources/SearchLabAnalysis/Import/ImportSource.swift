// Input files for `searchlab import`, read as whole bytes with 1-based line numbers.
import Foundation
import SearchLabCore

/// One input file: its name as the user wrote it and its bytes.
public struct ImportSource: Sendable {
    public var name: String
    public var data: Data

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }

    /// Reads `path`. - Throws: ``LocatedError`` saying whether it is missing or unreadable.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists, !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            let reason = !exists ? "does not exist" : isDirectory.boolValue ? "is a directory, not a file" : "is not readable"
            throw LocatedError(file: path, line: nil, message: "the file \(reason)")
        }
        self.init(name: path, data: data)
    }

    /// Non-blank lines with their numbers (see `NumberedLines.split`).
    func lines() -> [(number: Int, bytes: Data)] { NumberedLines.split(data) }

    /// The whole file as text. - Throws: ``LocatedError`` when it is not UTF-8.
    func text() throws -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw LocatedError(file: name, line: nil, message: "not valid UTF-8 text")
        }
        return text
    }

    /// Whether the file looks like JSON lines (first non-blank byte `{`, `[` or `"`).
    var looksLikeJSONLines: Bool {
        guard let first = data.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }) else { return true }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "\"") || first == UInt8(ascii: "[")
    }

    /// The step number a verl dump file name carries (`12.jsonl` → 12).
    var stepFromFileName: Int? {
        let base = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        return Int(base)
    }
}

/// Golden answers (and ids) from a FlashRAG / Search-R1 dataset file: lines with `id`,
/// `question` and `golden_answers`, looked up by id or by question text.
public struct DatasetAnswers: Sendable {
    var byID: [String: [String]] = [:]
    var byQuestion: [String: (id: String, goldens: [String])] = [:]

    public init() {}

    /// - Throws: ``LocatedError`` at the first malformed line.
    public init(source: ImportSource) throws {
        for (number, line) in source.lines() {
            do {
                let fields = try JSONFields(try JSONValue.parse(line), expected: "a dataset row object")
                guard let id = try fields.identifier("id") else { throw SearchLabError(#"missing field "id""#) }
                let goldens = try fields.strings("golden_answers") ?? fields.object("reward_model")?
                    .object("ground_truth")?.strings("target") ?? []
                byID[id] = goldens
                if let question = try fields.string("question") {
                    byQuestion[Self.key(question)] = (id, goldens)
                }
            } catch let error as SearchLabError {
                throw LocatedError(file: source.name, line: number, message: error.message)
            }
        }
    }

    func goldens(id: String) -> [String]? { byID[id] }

    func match(question: String) -> (id: String, goldens: [String])? { byQuestion[Self.key(question)] }

    /// Questions compare stripped, lowercased and without the `?` Search-R1 appends.
    static func key(_ question: String) -> String {
        var text = PythonText.lower(PythonText.strip(question))
        while text.hasSuffix("?") { text.removeLast() }
        return PythonText.strip(text)
    }
}
