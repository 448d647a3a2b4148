// Reading a world's train.jsonl / test.jsonl back, with errors that point at the line.
import Foundation
import SearchLabCore

/// Reads dataset files written by `searchlab world` (or any FlashRAG-form file with the
/// same metadata).
public enum WorldDataset {
    /// The questions of `url`, in file order.
    /// - Throws: ``LocatedError`` `FILE:LINE: …` for the first line that is not a valid record.
    public static func read(_ url: URL) throws -> [WorldQuestion] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw LocatedError(file: url.path, line: nil, message: "the file does not exist or is not readable")
        }
        var questions: [WorldQuestion] = []
        for (number, line) in NumberedLines.split(data) {
            do {
                questions.append(try record(JSONValue.parse(line)))
            } catch let error as SearchLabError {
                throw LocatedError(file: url.path, line: number, message: error.message)
            }
        }
        return questions
    }

    /// The train or test split of the world in `directory`.
    public static func read(directory: URL, split: String) throws -> [WorldQuestion] {
        try read(directory.appendingPathComponent("\(split).jsonl"))
    }

    static func record(_ value: JSONValue) throws -> WorldQuestion {
        let fields = try JSONFields(value, expected: "a question object {\"id\", \"question\", \"golden_answers\", \"data_source\", \"metadata\"}")
        func required<T>(_ key: String, _ read: (String) throws -> T?, _ what: String) throws -> T {
            guard let value = try read(key) else { throw SearchLabError("missing field \"\(key)\" (\(what))") }
            return value
        }
        let metadata = try required("metadata", fields.object, "an object with supporting_passages, relation_chain, entity_chain")
        let chain = WorldQuestion.Metadata(
            supportingPassages: try required("supporting_passages", metadata.strings, "a list of passage ids"),
            relationChain: try required("relation_chain", metadata.strings, "a list of relation names"),
            entityChain: try required("entity_chain", metadata.strings, "a list of entity names"))
        guard chain.supportingPassages.count == chain.relationChain.count,
              chain.entityChain.count == chain.relationChain.count + 1 else {
            throw SearchLabError("metadata must have one supporting passage per relation and one more entity than relations")
        }
        return WorldQuestion(
            id: try required("id", fields.identifier, "a string"),
            question: try required("question", fields.string, "a string"),
            goldenAnswers: try required("golden_answers", fields.strings, "a list of strings"),
            dataSource: try required("data_source", fields.string, "a string such as sim-1hop"),
            metadata: chain)
    }
}
