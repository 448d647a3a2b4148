import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing
@testable import SearchLabWorld

@Suite struct WorldCLITests {
    private func temporary() throws -> URL { try Fixtures.temporaryDirectory() }

    @Test func writesAWorldAndRefusesToOverwriteIt() throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("w").path
        let arguments = ["world", "--seed", "9", "--entities", "80", "--train", "100", "--test", "20", "--out", out]
        let first = try runSearchlab(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("wrote \(out): 80 entities, 400 passages, 100 train / 20 test questions"))
        let manifest = try WorldManifest.read(directory: URL(fileURLWithPath: out))
        try manifest.verify(directory: URL(fileURLWithPath: out))
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/corpus.jsonl"))

        let again = try runSearchlab(arguments)
        #expect(again.status == 1)
        #expect(again.stderr == "error: \(out): the directory is not empty; choose another --out or pass --force to replace its world files\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/corpus.jsonl")) == before)

        // A second process writes the same bytes: nothing depends on per-process hashing.
        let files = ["corpus.jsonl", "train.jsonl", "test.jsonl", "world.json"]
        let written = try files.map { try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")) }
        let forced = try runSearchlab(arguments + ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try files.map { try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")) } == written)
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["corpus.jsonl", "test.jsonl", "train.jsonl", "world.json"], "no temporary file is left")
    }

    @Test(arguments: [
        (["--relations", "born_in,flies_to"], "unknown relation \"flies_to\" in --relations; expected some of born_in,"),
        (["--hops", "1,4"], "--hops must be a comma-separated subset of 1,2,3"),
        (["--entities", "5"], "--entities must be at least 20 (got 5)"),
        (["--passages-per-entity", "0"], "--passages-per-entity must be between 1 and 100"),
        (["--entities", "20", "--train", "100000"], "distinct questions with hops 1,2,3 but 100300 were requested"),
    ])
    func badOptionsAreOneLineErrors(extra: [String], message: String) throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("w")
        let result = try runSearchlab(["world", "--seed", "1", "--out", out.path] + extra)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("world.json").path))
    }

    @Test func missingSeedIsAUsageError() throws {
        let result = try runSearchlab(["world", "--out", "/tmp/never-written"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--seed"))
    }

    @Test func outputPathThatIsAFileIsRefused() throws {
        let root = try temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        let result = try runSearchlab(["world", "--seed", "1", "--out", file.path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(file.path): exists and is not a directory; choose another --out\n")
    }
}
