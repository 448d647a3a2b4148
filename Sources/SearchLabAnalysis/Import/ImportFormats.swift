// The three input formats of `searchlab import`, each line → a trajectory.
import Foundation
import SearchLabCore

/// What `searchlab import --format` accepts.
public enum ImportFormat: String, Sendable, CaseIterable {
    /// Decoded Search-R1 sequences: JSON lines `{"text", "golden_answers", "data_source",
    /// "id"|"index", "step", "sample_index", "group_id"}`, or raw decoded text (detected).
    case searchR1 = "search-r1"
    /// Raw decoded text, one or more ChatML conversations (like Search-R1's `case.txt`).
    case searchR1Text = "search-r1-text"
    /// verl `rollout_data_dir` dumps `{step}.jsonl`: `input`, `output`, `gts`, `score`, `step`.
    case verlJSONL = "verl-jsonl"
    /// SearchLab trajectory JSON lines, as `searchlab parse` writes them.
    case searchlabJSON = "searchlab-json"
}

/// One input record turned into a trajectory, before golden answers and ids are settled.
struct ImportedRecord {
    var line: Int
    var trajectory: Trajectory
    var step: Int
    /// Whether the input named the sample index (else the next free one is used).
    var sampleGiven: Bool
    /// Whether the question id came from the input (else from the dataset or a digest).
    var idGiven: Bool
    /// The reward the run trained on (verl `score`), which overrides the recomputed one.
    var recordedReward: Double?
}

/// Reads records of one format.
enum RecordReader {
    static func read(_ source: ImportSource, format: ImportFormat, scoring: ScoringOptions,
                     keepGoing: Bool) throws -> (records: [ImportedRecord], errors: [LocatedError]) {
        if format == .searchR1Text || (format == .searchR1 && !source.looksLikeJSONLines) {
            return (try rawText(source, scoring: scoring), [])
        }
        var records: [ImportedRecord] = []
        var errors: [LocatedError] = []
        for (number, line) in source.lines() {
            do {
                let value = try JSONValue.parse(line)
                switch format {
                case .searchR1, .searchR1Text: records.append(try searchR1(value, line: number, scoring: scoring))
                case .verlJSONL: records.append(try verl(value, line: number, source: source, scoring: scoring))
                case .searchlabJSON: records.append(try searchlab(line, line: number))
                }
            } catch let error as SearchLabError {
                let located = LocatedError(file: source.name, line: number, message: error.message)
                if !keepGoing { throw located }
                errors.append(located)
            }
        }
        return (records, errors)
    }

    /// Raw decoded text: each ChatML conversation is a trajectory at step 0.
    static func rawText(_ source: ImportSource, scoring: ScoringOptions) throws -> [ImportedRecord] {
        var line = 1
        return try source.text().isEmpty ? [] : SequenceParser.splitSequences(source.text()).map { piece in
            defer { line += piece.utf8.lazy.filter { $0 == UInt8(ascii: "\n") }.count }
            let trajectory = SequenceParser.parse(piece, scoring: scoring)
            return ImportedRecord(line: line, trajectory: trajectory, step: 0, sampleGiven: false, idGiven: false)
        }
    }

    static let textKeys = ["text", "sequence", "solution_str"]

    static func searchR1(_ value: JSONValue, line: Int, scoring: ScoringOptions) throws -> ImportedRecord {
        if case .string(let text) = value {
            return ImportedRecord(line: line, trajectory: SequenceParser.parse(text, scoring: scoring), step: 0,
                                  sampleGiven: false, idGiven: false)
        }
        let fields = try JSONFields(value, expected: #"a JSON string or an object with a "text" field"#)
        guard let text = try textKeys.lazy.compactMap({ try fields.string($0) }).first else {
            throw SearchLabError(#"missing field "text" (the decoded sequence, a string)"#)
        }
        let id = try fields.identifier("id") ?? fields.identifier("index")
        let sample = try fields.integer("sample_index")
        let metadata = SequenceMetadata(
            id: id, dataSource: try fields.string("data_source"), goldenAnswers: try goldens(fields) ?? [],
            groupID: try fields.identifier("group_id"), sampleIndex: sample ?? 0)
        let step = try fields.integer("step") ?? 0
        return ImportedRecord(line: line, trajectory: SequenceParser.parse(text, metadata: metadata, scoring: scoring),
                              step: step, sampleGiven: sample != nil, idGiven: id != nil)
    }

    /// Golden answers under any of the names Search-R1 and verl use.
    static func goldens(_ fields: JSONFields) throws -> [String]? {
        if let list = try fields.strings("golden_answers") { return list }
        if let value = fields.object["gts"] ?? fields.object["ground_truth"], value != .null {
            if case .object = value {
                return try JSONFields(value, expected: "an object").strings("target")
            }
            return try JSONFields(.object(["gts": value]), expected: "").strings("gts")
        }
        return nil
    }

    /// A verl dump line: the prompt and response were decoded separately (special tokens
    /// skipped), so the prompt is `input` exactly and the turns come from `output` alone.
    static func verl(_ value: JSONValue, line: Int, source: ImportSource, scoring: ScoringOptions) throws -> ImportedRecord {
        let fields = try JSONFields(value, expected: #"a verl dump object with "input" and "output""#)
        guard let input = try fields.string("input") else { throw SearchLabError(#"missing field "input" (the decoded prompt, a string)"#) }
        guard let output = try fields.string("output") else { throw SearchLabError(#"missing field "output" (the decoded response, a string)"#) }
        guard let step = try fields.integer("step") ?? source.stepFromFileName else {
            throw SearchLabError(#"missing field "step" and the file name is not {step}.jsonl"#)
        }
        let score: Double?
        switch fields.object["score"] {
        case .integer(let i)?: score = Double(i)
        case .number(let d)?: score = d
        case nil, .null?: score = nil
        case let other?: throw SearchLabError(#"field "score" must be a number, got \#(other.kindDescription)"#)
        }
        let goldens = try goldens(fields) ?? []
        let id = try fields.identifier("id") ?? fields.identifier("index")
        let question = SequenceParser.parse(input).question.text
        let response = SequenceParser.parse(output, scoring: scoring)
        let outcome = SequenceParser.makeOutcome(turns: response.turns, goldens: goldens, scoring: scoring)
        let trajectory = Trajectory(
            question: Question(id: id ?? "", dataSource: try fields.string("data_source") ?? "", text: question,
                               goldenAnswers: goldens, sampleIndex: 0),
            prompt: input, turns: response.turns, trailing: response.trailing, outcome: outcome,
            malformations: response.malformations.filter { $0.kind != .noPrompt })
        return ImportedRecord(line: line, trajectory: trajectory, step: step, sampleGiven: false,
                              idGiven: id != nil, recordedReward: score)
    }

    static func searchlab(_ line: Data, line number: Int) throws -> ImportedRecord {
        let trajectory: Trajectory
        do {
            trajectory = try JSONDecoder().decode(Trajectory.self, from: line)
        } catch let DecodingError.dataCorrupted(context) {
            throw SearchLabError("not a SearchLab trajectory: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw SearchLabError("not a SearchLab trajectory: missing field \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw SearchLabError("not a SearchLab trajectory: field \"\(path)\" has the wrong type")
        } catch {
            throw SearchLabError("not a SearchLab trajectory")
        }
        return ImportedRecord(line: number, trajectory: trajectory, step: trajectory.provenance?.step ?? 0,
                              sampleGiven: true, idGiven: !trajectory.question.id.isEmpty)
    }
}
