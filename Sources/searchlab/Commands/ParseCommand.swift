import ArgumentParser
import SearchLabCore

/// `searchlab parse`: decoded Search-R1 text → structured trajectory JSON.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Turn decoded Search-R1 sequences into structured trajectory JSON.",
        discussion: """
            Input: one JSON value per line — a string holding a decoded sequence, or an object \
            {"text" | "sequence" | "solution_str": string, "golden_answers", "data_source", "id", \
            "index", "sample_index"}. With --raw the whole input is decoded text; several ChatML \
            conversations in it become several trajectories.

            Output: one canonical JSON trajectory per line (sorted keys). Malformed text \
            (unclosed or nested tags, stray text, tags in other case) never fails: it is parsed \
            as far as it goes and each problem is listed under "malformations". \
            `searchlab render` turns the JSON back into the exact input text.
            """)

    @Argument(help: ArgumentHelp("Input; - for standard input.", valueName: "FILE"))
    var input: String = "-"

    @Flag(help: "Read the whole input as decoded text rather than JSON lines.")
    var raw = false

    @Option(help: "Reward function for the outcome: em, subem or format.")
    var scheme: SearchR1Reward.Scheme = .em

    @Option(help: "Golden answer for --raw input (repeat for several).")
    var golden: [String] = []

    @Flag(help: "Indent the JSON (one trajectory per block instead of per line).")
    var pretty = false

    @Flag(help: "Skip malformed JSON lines (reported on standard error) instead of stopping at the first.")
    var keepGoing = false

    func run() throws {
        try reportingErrors {
            let input = try LineInput(path: input)
            let scoring = ScoringOptions(scheme: scheme, weights: .searchR1v03)
            if raw {
                let text = try input.text()
                let metadata = SequenceMetadata(goldenAnswers: golden)
                let trajectories = SequenceParser.splitSequences(text).map {
                    SequenceParser.parse($0, metadata: metadata, scoring: scoring)
                }
                Output.writeLines(try trajectories.map(encode))
                return
            }
            let (lines, errors) = try input.mapJSONLines(keepGoing: keepGoing) { value in
                let (text, metadata) = try ParseRecord.read(value)
                return try encode(SequenceParser.parse(text, metadata: metadata, scoring: scoring))
            }
            Output.writeLines(lines)
            try Output.finish(skipped: errors, total: lines.count + errors.count)
        }
    }

    func encode(_ trajectory: Trajectory) throws -> String {
        pretty ? try CanonicalJSON.prettyString(trajectory) : try CanonicalJSON.string(trajectory)
    }
}

/// One input line of `searchlab parse`.
enum ParseRecord {
    static let textKeys = ["text", "sequence", "solution_str"]

    static func read(_ value: JSONValue) throws -> (String, SequenceMetadata) {
        if case .string(let text) = value { return (text, SequenceMetadata()) }
        let fields = try JSONFields(value, expected: #"a JSON string or an object with a "text" field"#)
        guard let text = try textKeys.lazy.compactMap({ try fields.string($0) }).first else {
            throw SearchLabError(#"missing field "text" (the decoded sequence, a string)"#)
        }
        let metadata = SequenceMetadata(
            id: try fields.identifier("id") ?? fields.identifier("index"),
            dataSource: try fields.string("data_source"),
            goldenAnswers: try fields.strings("golden_answers") ?? [],
            groupID: try fields.identifier("group_id"),
            sampleIndex: try fields.integer("sample_index") ?? 0)
        return (text, metadata)
    }
}
