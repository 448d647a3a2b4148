// The gold chains `scan` checks hops against: each question's supporting passages in hop
// order, from FlashRAG-style dataset JSONL (`metadata.supporting_passages`, as the simulated
// world writes its train.jsonl and test.jsonl).
import Foundation
import SearchLabCore

/// Question id → supporting passages (corpus ids, or titles), in hop order.
public struct GoldChains: Sendable {
    public private(set) var chains: [String: [String]] = [:]
    /// The files they were read from, for the report.
    public private(set) var sources: [String] = []

    public init() {}

    /// Reads every line's `id` and `metadata.supporting_passages`; lines without them are
    /// skipped (a dataset may have chains for some questions only).
    /// - Throws: ``LocatedError`` (file:line) for a line that is not JSON, or whose
    ///   supporting passages are not a list of strings or numbers.
    public mutating func read(_ path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LocatedError(file: path, line: nil, message: "cannot read the dataset file")
        }
        for (number, line) in NumberedLines.split(data) where !line.allSatisfy({ $0 == UInt8(ascii: " ") }) {
            do {
                let fields = try JSONFields(try JSONValue.parse(line), expected: "a question object")
                guard let id = try fields.identifier("id"), let passages = try fields.object("metadata")?.identifiers("supporting_passages") else {
                    continue
                }
                chains[id] = passages
            } catch let error as SearchLabError {
                throw LocatedError(file: path, line: number, message: error.message)
            }
        }
        sources.append(path)
    }

    /// A world's dataset files (`train.jsonl`, `test.jsonl`) that exist, in that order.
    public static func datasetFiles(ofWorld directory: String) -> [String] {
        ["train.jsonl", "test.jsonl"].map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    public subscript(questionID: String) -> [String]? { chains[questionID] }
    public var isEmpty: Bool { chains.isEmpty }
}
