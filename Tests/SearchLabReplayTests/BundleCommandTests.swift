import Foundation
import SearchLabCore
import SearchLabReplay
import SearchLabStore
import SearchLabTestSupport
import Testing

/// Portable replay bundles: written from a run database, replayed elsewhere from the bundle alone.
@Suite(.serialized) struct BundleCommandTests {
    func fixture() throws -> ReplayFixture { try ReplayFixture.shared.get() }

    /// A training trajectory from the middle of its batch and an eval one: bundled, moved to
    /// another folder, and verified from an empty working folder with nothing but the bundle.
    @Test func aBundleReplaysFromItselfAlone() throws {
        let f = try fixture()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Step 1, row 2 of 4 (the second worker's shard), and row 7 of the eval's batch of 40.
        let training = try f.ids(run: "tr")
        let middle = "\(training[training.count - 2])", evaluation = "\(try f.ids(run: "ev")[7])"
        let written = dir.appendingPathComponent("written").path
        let result = try runSearchlab(["bundle", middle, evaluation, "--db", f.db, "--out", written])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("wrote bundle \(written): 2 trajectories"))
        let moved = dir.appendingPathComponent("elsewhere/bundle")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: written, toPath: moved.path)
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let manifest = try ReplayBundle.check(moved)
        #expect(manifest.entries.count == 2 && manifest.version == BundleManifest.currentVersion)
        for entry in manifest.entries {
            let replay = try runSearchlab(["replay", entry.trajectory, "--bundle", moved.path, "--verify"], in: empty)
            #expect(replay.status == 0 && replay.stdout.contains("identical"), "\(replay.stdout) \(replay.stderr)")
            #expect(replay.stdout.contains("batch: row "), "\(replay.stdout)")
            let generated = try runSearchlab(["replay", entry.trajectory, "--bundle", moved.path], in: empty)
            #expect(generated.status == 0 && generated.stdout.contains("identical"), "\(generated.stdout) \(generated.stderr)")
        }
        // The corpus slice and the questions serve a what-if from the bundle: the oracle's documents.
        let slice = moved.appendingPathComponent("corpus-slice.jsonl").path, questions = moved.appendingPathComponent("questions.jsonl").path
        let whatIf = try runSearchlab(["replay", manifest.entries[0].trajectory, "--bundle", moved.path, "--engine", "oracle",
                                       "--corpus", slice, "--dataset", questions], in: empty)
        #expect(whatIf.status == 0 && whatIf.stdout.hasPrefix("what-if "), "\(whatIf.stdout) \(whatIf.stderr)")
        // Nothing was written into the bundle or the empty folder.
        #expect(try ReplayBundle.check(moved).files == manifest.files)
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
        let check = try runSearchlab(["bundle", "--check", moved.path])
        #expect(check.status == 0 && check.stdout.contains("\(manifest.files.count) files match their digests"), "\(check.stdout)")
    }

    @Test func damagedBundlesAndBadInputAreOneLineErrors() throws {
        let f = try fixture()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundle = dir.appendingPathComponent("b")
        let id = "\(try f.ids(run: "tr")[1])"
        #expect(try runSearchlab(["bundle", id, "--db", f.db, "--out", bundle.path]).status == 0)
        func replay(_ target: URL) throws -> CommandResult { try runSearchlab(["replay", "--bundle", target.path, "--verify"]) }
        func copy(_ name: String, _ change: (URL) throws -> Void) throws -> URL {
            let target = dir.appendingPathComponent(name)
            try FileManager.default.copyItem(at: bundle, to: target)
            try change(target)
            return target
        }
        let manifest = try ReplayBundle.check(bundle)
        let weights = manifest.files.keys.first { $0.hasSuffix("model.safetensors") }!
        let cases: [(URL, String)] = [
            (try copy("altered") { target in
                let handle = try FileHandle(forUpdating: target.appendingPathComponent(weights))
                try handle.seek(toOffset: 4000)
                try handle.write(contentsOf: Data([0x42]))
                try handle.close()
            }, "error: \(dir.appendingPathComponent("altered/\(weights)").path) does not match the bundle's manifest"),
            (try copy("missing") { try FileManager.default.removeItem(at: $0.appendingPathComponent("runs.sqlite")) },
             "error: \(dir.appendingPathComponent("missing/runs.sqlite").path) is missing from the bundle"),
            (try copy("newer") { target in
                let url = target.appendingPathComponent("bundle.json")
                let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"version\":1", with: "\"version\":99")
                try Data(text.utf8).write(to: url)
            }, "error: \(dir.appendingPathComponent("newer").path) is a version 99 bundle"),
            (dir.appendingPathComponent("nothing-here"), "error: \(dir.appendingPathComponent("nothing-here").path) is not a replay bundle"),
        ]
        for (target, expected) in cases {
            let result = try replay(target)
            #expect(result.status == 1, "\(target.lastPathComponent)")
            #expect(result.stderr.hasPrefix(expected), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        let unknown = try runSearchlab(["replay", "nope:0:q:0", "--bundle", bundle.path])
        #expect(unknown.status == 1 && unknown.stderr.hasPrefix("error: bundle \(bundle.path) holds no trajectory nope:0:q:0; it holds "))
        let unknownID = try runSearchlab(["bundle", "99999", "--db", f.db, "--out", dir.appendingPathComponent("x").path])
        #expect(unknownID.status == 1 && unknownID.stderr.hasPrefix("error: no trajectory #99999"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
        let occupied = try runSearchlab(["bundle", id, "--db", f.db, "--out", bundle.path])
        #expect(occupied.status == 1 && occupied.stderr == "error: \(bundle.path) is not empty; a bundle goes into a new folder\n")
    }
}
