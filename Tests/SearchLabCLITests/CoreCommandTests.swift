import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing

/// End-to-end tests of `reward`, `parse` and `render` against the built binary.
@Suite(.serialized)
struct CoreCommandTests {
    static func goldenSequences() throws -> [[String: JSONValue]] {
        try Fixtures.text("golden/rewards.jsonl").split(separator: "\n").compactMap { line in
            guard case .object(let o) = try JSONValue.parse(Data(line.utf8)), o["kind"] == .string("sequence") else { return nil }
            return o
        }
    }

    @Test(arguments: ["em", "subem", "format"], ["response", "upstream"])
    func rewardMatchesTheReferenceOnEveryCase(scheme: String, extraction: String) throws {
        let rows = try Self.goldenSequences()
        let input = try rows.map { row in
            try CanonicalJSON.string(JSONValue.object(["solution_str": row["solution_str"]!, "golden_answers": row["golden_answers"]!]))
        }.joined(separator: "\n")
        let result = try runSearchlab(["reward", "--scheme", scheme, "--extraction", extraction,
                                       "--structure-format-score", "0.2", "--final-format-score", "0.1",
                                       "--retrieval-score", "0.05"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == rows.count)
        for (row, line) in zip(rows, lines) {
            guard case .object(let expected)? = row["expected"], let want = expected["\(scheme)/\(extraction)"] else { continue }
            let got = try JSONValue.parse(Data(line.utf8))
            #expect(Self.number(got, "score") == Self.number(want, "score"), "\(row["name"]!): \(line)")
            #expect(Self.field(got, "answer") == Self.field(want, "answer"), "\(row["name"]!): \(line)")
        }
    }

    /// Without --extraction, one note counts the sequences whose score Search-R1's own rule
    /// would give differently (from the reference's vectors); naming a rule silences it.
    @Test func unnamedExtractionCountsTheScoresUpstreamWouldGiveDifferently() throws {
        let rows = try Self.goldenSequences()
        let input = try rows.map { row in
            try CanonicalJSON.string(JSONValue.object(["solution_str": row["solution_str"]!, "golden_answers": row["golden_answers"]!]))
        }.joined(separator: "\n")
        let differing = rows.filter { row in
            guard case .object(let expected)? = row["expected"] else { return false }
            return Self.number(expected["em/response"]!, "score") != Self.number(expected["em/upstream"]!, "score")
        }.count
        #expect(differing > 0)
        let quiet = try runSearchlab(["reward", "--extraction", "response"], stdin: input)
        let noted = try runSearchlab(["reward"], stdin: input)
        #expect(noted.status == 0 && quiet.status == 0)
        #expect(noted.stdout == quiet.stdout)
        #expect(quiet.stderr.isEmpty)
        #expect(noted.stderr.hasPrefix("note: \(differing) of \(rows.count) scores differ under Search-R1's own extract_solution"), "\(noted.stderr)")
        #expect(try runSearchlab(["reward", "--extraction", "upstream"], stdin: input).stderr.isEmpty)
    }

    static func field(_ v: JSONValue, _ k: String) -> JSONValue? {
        if case .object(let o) = v { return o[k] ?? .null }
        return nil
    }

    static func number(_ v: JSONValue, _ k: String) -> Double? {
        switch field(v, k) {
        case .integer(let i)?: return Double(i)
        case .number(let d)?: return d
        default: return nil
        }
    }

    @Test func malformedLineNamesFileAndLineAndWritesNothing() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("in.jsonl")
        try """
        {"solution_str": "<answer>a</answer>", "golden_answers": ["a"]}

        {"solution_str": "x", "golden_answers": "a"}
        {"solution_str": 3, "golden_answers": ["a"]}
        not json
        {"golden_answers": ["a"]}
        """.write(to: file, atomically: true, encoding: .utf8)
        let strict = try runSearchlab(["reward", file.path])
        #expect(strict.status == 1)
        #expect(strict.stdout.isEmpty)
        #expect(strict.stderr == "error: \(file.path):4: field \"solution_str\" must be a string, got a number\n")

        let lenient = try runSearchlab(["reward", file.path, "--keep-going"])
        #expect(lenient.status == 1)
        #expect(lenient.stdout.split(separator: "\n").count == 2)
        #expect(lenient.stderr.contains("error: \(file.path):4: field \"solution_str\" must be a string"))
        #expect(lenient.stderr.contains("error: \(file.path):5: not valid JSON"))
        #expect(lenient.stderr.contains("error: \(file.path):6: missing field \"solution_str\""))
        #expect(lenient.stderr.contains("skipped 3 of 5 records"))
    }

    @Test func missingFileIsAClearError() throws {
        let result = try runSearchlab(["parse", "/nonexistent/file.jsonl"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: /nonexistent/file.jsonl: the file does not exist\n")
    }

    @Test func parseRawThenRenderGivesBackTheRealRolloutByteForByte() throws {
        let path = Fixtures.url("search-r1/example-trajectory.txt").path
        let parsed = try runSearchlab(["parse", "--raw", path])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        #expect(parsed.stdout.split(separator: "\n").count == 2)
        let rendered = try runSearchlab(["render", "-"], stdin: parsed.stdout)
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout == (try Fixtures.text("search-r1/example-trajectory.txt")))
    }

    @Test func parseAcceptsStringsAndObjects() throws {
        let input = #""<think>t</think><answer> a </answer>""# + "\n" +
            #"{"text": "<answer>b</answer>", "golden_answers": ["B"], "data_source": "nq", "index": 7}"#
        let result = try runSearchlab(["parse"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let second = try JSONDecoder().decode(Trajectory.self, from: Data(lines[1].utf8))
        #expect(second.question.id == "7" && second.question.dataSource == "nq")
        #expect(second.outcome.exactMatch)
    }

    @Test func renderRejectsNonTrajectories() throws {
        let result = try runSearchlab(["render"], stdin: #"{"prompt": 1}"#)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: <stdin>:1: not a SearchLab trajectory: missing field"))
    }
}

/// Help text is part of the interface: every command's help screen is snapshotted. The
/// command list comes from ArgumentParser's tool-info dump, so a new command without a
/// reviewed snapshot fails the suite.
struct HelpSnapshotTests {
    /// Every command path below the root, depth first, `help` excluded.
    static func commandPaths() throws -> [[String]] {
        let dump = try runSearchlab(["--experimental-dump-help"])
        guard case .object(let root) = try JSONValue.parse(Data(dump.stdout.utf8)), case .object(let command)? = root["command"] else {
            return []
        }
        func walk(_ node: [String: JSONValue], _ prefix: [String]) -> [[String]] {
            guard case .array(let subs)? = node["subcommands"] else { return [] }
            return subs.flatMap { sub -> [[String]] in
                guard case .object(let o) = sub, case .string(let name)? = o["commandName"], name != "help" else { return [] }
                return [prefix + [name]] + walk(o, prefix + [name])
            }
        }
        return [[]] + walk(command, [])
    }

    @Test func everyHelpScreenMatchesItsSnapshot() throws {
        let paths = try Self.commandPaths()
        #expect(paths.count >= 4)
        for path in paths {
            let result = try runSearchlab(["help"] + path)
            #expect(result.status == 0, "searchlab help \(path.joined(separator: " "))")
            let name = (["searchlab"] + path).joined(separator: "-") + ".txt"
            if let mismatch = snapshotMismatch(result.stdout, named: name) { Issue.record(Comment(rawValue: mismatch)) }
        }
    }
}
