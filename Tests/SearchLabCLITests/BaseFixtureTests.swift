import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing

/// fixtures/base-small, the base policy `make demo` trains from: its files are the recorded
/// ones (SHA256SUMS), the loader accepts them, and its greedy EM on the first test questions of
/// the demo's world is the figure recorded when it was made (check.json). When the checkpoint
/// format changes, this fails until the loader migrates the old files or the fixture is
/// re-recorded with the same recipe (`make base-fixture UPDATE=1`).
@Suite(.serialized)
struct BaseFixtureTests {
    static let folder = Fixtures.url("base-small")

    static func check() throws -> [String: JSONValue] {
        guard case .object(let o) = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("check.json"))) else {
            throw SearchLabError("check.json is not an object")
        }
        return o
    }

    @Test func everyFileHasItsRecordedDigest() throws {
        let sums = try String(contentsOf: Self.folder.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        let entries = sums.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(entries.map { String($0[1]) }.sorted() == ["config.json", "model.safetensors", "tokenizer.json"])
        for entry in entries {
            let data = try Data(contentsOf: Self.folder.appendingPathComponent(String(entry[1])))
            #expect(CanonicalJSON.sha256Hex(data) == String(entry[0]), "\(entry[1]) was changed; re-record with make base-fixture UPDATE=1")
        }
        // The weights digest the pretraining recorded is the one in the weights file's header.
        guard case .object(let pretrain) = try JSONValue.parse(Data(contentsOf: Self.folder.appendingPathComponent("pretrain.json"))),
              case .string(let digest)? = pretrain["checkpointDigest"] else {
            Issue.record("pretrain.json has no checkpointDigest")
            return
        }
        let weights = try Data(contentsOf: Self.folder.appendingPathComponent("model.safetensors"))
        let headerLength = weights.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = String(decoding: weights.dropFirst(8).prefix(headerLength), as: UTF8.self)
        #expect(header.contains("\"searchlab.weights_sha256\":\"\(digest)\""))
    }

    @Test func greedyEMOnTheFirstTestQuestionsIsTheRecordedFigure() throws {
        let check = try Self.check()
        guard case .integer(let questions)? = check["questions"], case .array(let expected)? = check["eval_stdout"],
              case .string(let corpusDigest)? = check["corpus_sha256"] else {
            Issue.record("check.json lacks questions, eval_stdout or corpus_sha256")
            return
        }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let world = dir.appendingPathComponent("world").path
        let w = try runSearchlab(["world", "--seed", "1", "--out", world])
        #expect(w.status == 0, "\(w.stderr)")
        #expect(w.stdout.contains("corpus.jsonl sha256 \(corpusDigest)"), "world --seed 1 changed: \(w.stdout)")
        let eval = try runSearchlab(["eval", "--checkpoint", Self.folder.path, "--world", world, "--limit", "\(questions)", "--quiet"],
                                    environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let lines = eval.stdout.split(separator: "\n").map(String.init)
        #expect(lines == expected.compactMap { if case .string(let s) = $0 { return s } else { return nil } },
                "EM of the shipped base moved:\n\(eval.stdout)")
        // Not a vacuous figure: the base answers some questions and misses others.
        let all = lines.first { $0.hasPrefix("all\t") } ?? ""
        #expect(!all.hasPrefix("all\tEM 0.000") && !all.hasPrefix("all\tEM 1.000"), "\(all)")
    }
}
