import Foundation
import SearchLabTestSupport
import Testing

/// The long commands' progress display: an updating line on a terminal (forced here with
/// SEARCHLAB_PROGRESS=live, since the tests' stderr is a pipe), plain lines otherwise, nothing
/// with --quiet; stdout is the same in every mode.
@Suite(.serialized)
struct ProgressTests {
    static let redraw = "\r\u{1B}[K"

    /// A small world and a 3-step tiny policy, made once per test.
    static func prepare(_ dir: URL) throws -> (world: String, checkpoint: String) {
        let world = dir.appendingPathComponent("world").path, checkpoint = dir.appendingPathComponent("base").path
        let w = try runSearchlab(["world", "--seed", "3", "--entities", "60", "--train", "40", "--test", "10", "--out", world])
        #expect(w.status == 0, "\(w.stderr)")
        let p = try runSearchlab(["pretrain", "--world", world, "--out", checkpoint, "--preset", "tiny", "--steps", "3",
                                  "--batch-rows", "2", "--quiet"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stderr.isEmpty, "--quiet printed \(p.stderr)")
        return (world, checkpoint)
    }

    @Test func pretrainShowsLiveCountsRateAndEtaOnATerminalAndPlainLinesInAPipe() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (world, _) = try Self.prepare(dir)
        let args = ["pretrain", "--world", world, "--preset", "tiny", "--steps", "30", "--batch-rows", "2"]
        let live = try runSearchlab(args + ["--out", dir.appendingPathComponent("a").path], environment: ["SEARCHLAB_PROGRESS": "live"])
        #expect(live.status == 0, "\(live.stderr)")
        #expect(live.stderr.contains(Self.redraw + "pretrain 30/30 steps"), "\(live.stderr)")
        #expect(live.stderr.contains(" in ") && live.stderr.contains("loss "))
        #expect(!live.stderr.contains("pretrain step 26/30"), "live mode printed the plain lines")
        #expect(live.stderr.hasSuffix("\n"), "the live line is not ended")

        let plain = try runSearchlab(args + ["--out", dir.appendingPathComponent("b").path])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stderr.contains("\r"))
        let lines = plain.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.count == 3 && lines[0].hasPrefix("pretrain step 1/30  loss ") && lines[1].hasPrefix("pretrain step 26/30  loss ") && lines[2].hasPrefix("pretrain step 30/30  loss "))
        // Same weights and stdout apart from the checkpoint path.
        #expect(live.stdout.replacingOccurrences(of: "/a ", with: "/b ") == plain.stdout)
    }

    @Test func trainAndEvalShowTheirLineAndQuietSilencesIt() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (world, checkpoint) = try Self.prepare(dir)
        let args = ["train"] + TrainResumeTests.trainArguments.map { $0 == "trainer.total_training_steps=5" ? "trainer.total_training_steps=2" : $0 }
            + ["--set", "world.dir=\(world)", "--set", "policy.checkpoint=\(checkpoint)"]
        let live = try runSearchlab(args + ["--db", dir.appendingPathComponent("live.sqlite").path, "--name", "r"],
                                    environment: ["SEARCHLAB_PROGRESS": "live"])
        #expect(live.status == 0, "\(live.stderr)")
        #expect(live.stderr.contains(Self.redraw + "train 1/2 steps  "), "\(live.stderr)")
        #expect(live.stderr.contains("ETA ") && live.stderr.contains("val em ") && live.stderr.contains("searches "))
        #expect(live.stderr.contains(Self.redraw + "train 2/2 steps  "))

        let plain = try runSearchlab(args + ["--db", dir.appendingPathComponent("plain.sqlite").path, "--name", "r"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.split(separator: "\n").filter { $0.hasPrefix("step ") }.count == 2, "\(plain.stderr)")
        #expect(!plain.stderr.contains("\r"))

        let quiet = try runSearchlab(args + ["--db", dir.appendingPathComponent("quiet.sqlite").path, "--name", "r", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(quiet.stdout.replacingOccurrences(of: "quiet.sqlite", with: "plain.sqlite") == plain.stdout)
        // The display does not touch the run: same trajectories and metrics.
        #expect(try TrainResumeTests.fingerprint(dir.appendingPathComponent("quiet.sqlite").path)
                == TrainResumeTests.fingerprint(dir.appendingPathComponent("live.sqlite").path))

        let eval = ["eval", "--checkpoint", checkpoint, "--world", world]
        let evalLive = try runSearchlab(eval, environment: ["SEARCHLAB_PROGRESS": "live"])
        #expect(evalLive.status == 0, "\(evalLive.stderr)")
        #expect(evalLive.stderr.contains(Self.redraw + "eval 10/10 questions"), "\(evalLive.stderr)")
        let evalQuiet = try runSearchlab(eval + ["--quiet"])
        #expect(evalQuiet.stderr.isEmpty && evalQuiet.stdout == evalLive.stdout, "\(evalQuiet.stderr)")
    }

    @Test func indexAndImportShowTheirLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("i.index").path
        let corpus = Fixtures.url("search-r1/example-corpus.jsonl").path
        let live = try runSearchlab(["index", "--corpus", corpus, "--out", index], environment: ["SEARCHLAB_PROGRESS": "live"])
        #expect(live.status == 0, "\(live.stderr)")
        #expect(live.stderr.contains(Self.redraw + "index "), "\(live.stderr)")
        #expect(live.stderr.contains(" passages"))
        let plain = try runSearchlab(["index", "--corpus", corpus, "--out", index])
        #expect(!plain.stderr.contains("\r") && plain.stderr.hasPrefix("indexed "), "\(plain.stderr)")

        let db = dir.appendingPathComponent("r.sqlite").path
        let imported = try runSearchlab(["import", "--synthetic", "300", "--questions", "10", "--samples", "3", "--db", db,
                                         "--run", "s"], environment: ["SEARCHLAB_PROGRESS": "live"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains(Self.redraw + "import 300/300 trajectories"), "\(imported.stderr)")
    }

    @Test func anUnknownProgressSettingFallsBackToTheTerminalCheck() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = Fixtures.url("search-r1/example-corpus.jsonl").path
        let r = try runSearchlab(["index", "--corpus", corpus, "--out", dir.appendingPathComponent("i").path],
                                 environment: ["SEARCHLAB_PROGRESS": "sometimes"])
        #expect(r.status == 0 && !r.stderr.contains("\r"), "\(r.stderr)")
    }
}
