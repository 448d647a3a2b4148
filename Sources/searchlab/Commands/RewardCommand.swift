import ArgumentParser
import SearchLabCore

/// `searchlab reward`: re-score decoded sequences with Search-R1's reward functions.
struct RewardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Score decoded Search-R1 sequences with Search-R1's reward functions.",
        discussion: """
            Reads JSON lines {"solution_str": "...", "golden_answers": ["..."]} (verl's \
            {"ground_truth": {"target": [...]}} is accepted too) and writes one JSON line \
            per input, in order: {"score", "answer", "em", "format_valid", "retrieval_hit"}.

            solution_str is the whole decoded sequence, prompt included, as upstream's scorer \
            receives it. By default the answer is taken from the response alone (the last \
            <answer>…</answer> after the prompt). --extraction upstream reproduces \
            extract_solution exactly: it scores prompt + response and needs two or more \
            matches, so a response with no answer is scored as the instruction's example \
            answer "Beijing".

            Without --extraction, each sequence is also scored the upstream way, and when any \
            score differs one note on standard error says how many: a Search-R1 log re-scored \
            here then never disagrees with Search-R1's own numbers unnoticed. Naming either rule \
            silences the note.
            """)

    @Argument(help: ArgumentHelp("JSON-lines input; - for standard input.", valueName: "FILE"))
    var input: String = "-"

    @Option(help: "Reward function: em (exact match), subem (golden answer contained), format (format-aware EM).")
    var scheme: SearchR1Reward.Scheme = .em

    @Option(help: "Where the answer is read: response (SearchLab's default) or upstream (prompt + response, two-match rule).")
    var extraction: AnswerExtraction?

    @Option(help: "λf of the format reward: credit for a well-formed sequence.")
    var structureFormatScore: Double = 0

    @Option(help: "λff of the format reward: credit for an answer in a malformed sequence.")
    var finalFormatScore: Double = 0

    @Option(help: "λr of the format reward: extra credit when a golden answer was retrieved.")
    var retrievalScore: Double = 0

    @Flag(help: "Skip malformed lines (reported on standard error) instead of stopping at the first.")
    var keepGoing = false

    func run() throws {
        try reportingErrors {
            let input = try LineInput(path: input)
            let weights = SearchR1Reward.FormatWeights(
                structureFormatScore: structureFormatScore, finalFormatScore: finalFormatScore, retrievalScore: retrievalScore)
            let rule = extraction ?? .response
            var disagreements = 0
            let (lines, errors) = try input.mapJSONLines(keepGoing: keepGoing) { value in
                let record = try RewardRecord(value)
                let score = Self.score(record, rule: rule, scheme: scheme, weights: weights)
                if extraction == nil, score.score != Self.score(record, rule: .upstream, scheme: scheme, weights: weights).score {
                    disagreements += 1
                }
                return try CanonicalJSON.string(score)
            }
            Output.writeLines(lines)
            if disagreements > 0 {
                Output.note("note: \(disagreements) of \(lines.count) scores differ under Search-R1's own extract_solution, which reads "
                            + "prompt + response and needs two <answer> matches: --extraction upstream gives Search-R1's numbers, "
                            + "--extraction response keeps these (and silences this note)")
            }
            try Output.finish(skipped: errors, total: lines.count + errors.count)
        }
    }
}

extension RewardCommand {
    /// One record scored under one extraction rule.
    static func score(_ record: RewardRecord, rule: AnswerExtraction, scheme: SearchR1Reward.Scheme,
                      weights: SearchR1Reward.FormatWeights) -> SearchR1Reward.Score {
        let text = rule == .upstream ? record.solution : ResponseText.of(record.solution)
        return SearchR1Reward.score(text, goldens: record.goldens, scheme: scheme, weights: weights, extraction: rule)
    }
}

extension SearchR1Reward.Scheme: ExpressibleByArgument {}
extension AnswerExtraction: ExpressibleByArgument {}

/// One input line of `searchlab reward`.
struct RewardRecord {
    var solution: String
    var goldens: [String]

    init(_ value: JSONValue) throws {
        let fields = try JSONFields(value, expected: #"an object {"solution_str": string, "golden_answers": [string]}"#)
        guard let solution = try fields.string("solution_str") else {
            throw SearchLabError(#"missing field "solution_str" (the decoded sequence, a string)"#)
        }
        self.solution = solution
        if let goldens = try fields.strings("golden_answers") {
            self.goldens = goldens
        } else if let target = try fields.object("ground_truth")?.strings("target") {
            self.goldens = target
        } else {
            throw SearchLabError(#"missing field "golden_answers" (a list of strings) or "ground_truth": {"target": [...]}"#)
        }
    }
}

/// The response part of a decoded sequence, found the way the parser finds it, without
/// trailing end-of-sequence text (upstream's loop never keeps any).
enum ResponseText {
    static func of(_ sequence: String) -> String {
        SequenceParser.parse(sequence).turnsText
    }
}
