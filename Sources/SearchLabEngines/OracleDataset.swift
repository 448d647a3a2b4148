// The data the oracle engine needs: which passages support which question.
import Foundation
import SearchLabCore

/// One question and the passages that support it, in hop order.
public struct OracleQuestion: Codable, Hashable, Sendable {
    public var id: String
    public var question: String
    /// Supporting passages resolved against the corpus, in the order the dataset lists them.
    public var supporting: [CorpusDocument]

    public init(id: String, question: String, supporting: [CorpusDocument]) {
        self.id = id
        self.question = question
        self.supporting = supporting
    }
}

/// Questions with their supporting passages, read from a FlashRAG/Search-R1 dataset JSONL
/// whose lines carry the ids of their supporting passages:
///
/// ```json
/// {"id": "q7", "question": "…", "golden_answers": ["…"],
///  "metadata": {"supporting_passages": ["p12", "p40"]}}
/// ```
///
/// The ids are resolved against a corpus JSONL (``CorpusFile``), so the oracle serves the
/// exact passage text. The simulated world writes its `train.jsonl`/`test.jsonl` this way.
public struct OracleDataset: Sendable {
    /// Questions in file order.
    public let questions: [OracleQuestion]
    /// SHA-256 of the dataset file's bytes (or as given for in-memory questions).
    public let digest: String
    let byID: [String: Int]
    let byText: [String: Int]

    /// Reads `path` and resolves its supporting passage ids in `corpus`.
    /// - Throws: ``LocatedError`` naming the line of a malformed record, a duplicate
    ///   question id, or a supporting id the corpus does not have.
    public init(path: String, corpus: CorpusFile) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LocatedError(file: path, line: nil, message: "the dataset file does not exist or is not readable")
        }
        try self.init(data: data, name: path, corpus: corpus)
    }

    /// A dataset built in memory (e.g. by the world generator), without files.
    /// - Parameter digest: identifies the data in fingerprints; by default the SHA-256 of
    ///   the questions' canonical JSON.
    /// - Throws: ``SearchLabError`` for a duplicate question id.
    public init(questions: [OracleQuestion], digest: String? = nil) throws {
        var byID: [String: Int] = [:]
        var byText: [String: Int] = [:]
        for (index, question) in questions.enumerated() {
            guard byID[question.id] == nil else { throw SearchLabError("duplicate question id \"\(question.id)\"") }
            byID[question.id] = index
            // The first question with a given text wins an unbound text match.
            let key = OracleDataset.matchKey(question.question)
            if byText[key] == nil { byText[key] = index }
        }
        self.questions = questions
        self.byID = byID
        self.byText = byText
        self.digest = try digest ?? CanonicalJSON.digest(questions)
    }

    /// Parses dataset bytes; `name` is used in error messages.
    public init(data: Data, name: String, corpus: CorpusFile) throws {
        var questions: [OracleQuestion] = []
        var lines: [String: Int] = [:]
        for (number, line) in NumberedLines.split(data) {
            do {
                let question = try OracleDataset.parse(line, corpus: corpus)
                if let first = lines[question.id] {
                    throw SearchLabError("duplicate question id \"\(question.id)\" (first seen on line \(first))")
                }
                lines[question.id] = number
                questions.append(question)
            } catch let error as SearchLabError {
                throw LocatedError(file: name, line: number, message: error.message)
            }
        }
        try self.init(questions: questions, digest: CanonicalJSON.sha256Hex(data))
    }

    /// The question with `id`.
    public func question(id: String) -> OracleQuestion? {
        byID[id].map { questions[$0] }
    }

    /// The question whose text matches `query` under ``matchKey(_:)``.
    public func question(matching query: String) -> OracleQuestion? {
        byText[OracleDataset.matchKey(query)].map { questions[$0] }
    }

    /// How a query is compared with a question when the oracle is not bound to one:
    /// Search-R1's answer normalisation (lowercase, no ASCII punctuation, no articles,
    /// single spaces), so "Who founded Varo?" matches "who founded varo".
    public static func matchKey(_ text: String) -> String {
        AnswerMatching.normalize(text)
    }

    static func parse(_ line: Data, corpus: CorpusFile) throws -> OracleQuestion {
        let fields = try JSONFields(try JSONValue.parse(line), expected: "a question object")
        guard let id = try fields.identifier("id") else { throw SearchLabError(#"missing field "id""#) }
        guard let question = try fields.string("question") else { throw SearchLabError(#"missing field "question""#) }
        guard let ids = try fields.object("metadata")?.identifiers("supporting_passages") else {
            throw SearchLabError(#"missing field "metadata.supporting_passages" (a list of corpus ids)"#)
        }
        let supporting = try ids.map { passageID in
            guard let document = corpus.document(id: passageID) else {
                throw SearchLabError("supporting passage \"\(passageID)\" is not in the corpus")
            }
            return document
        }
        return OracleQuestion(id: id, question: question, supporting: supporting)
    }
}
