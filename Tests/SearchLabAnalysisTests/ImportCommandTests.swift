// `searchlab import` end to end: messages, exit codes, nothing stored on failure.
import Foundation
import SearchLabAnalysis
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct ImportCommandTests {
    @Test func importsVerlAndTextFormatsFromTheCommandLine() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let verl = try runSearchlab(["import", Fixtures.url("verl/3.jsonl").path, Fixtures.url("verl/4.jsonl").path,
                                     "--format", "verl-jsonl", "--db", db.path, "--run", "verl"])
        #expect(verl.status == 0, "\(verl.stderr)")
        #expect(scrub(verl.stdout, db) == "imported 6 trajectories into run verl (DB)\n")
        let text = try runSearchlab(["import", Fixtures.url("search-r1/example-trajectory.txt").path,
                                     "--format", "search-r1-text", "--db", db.path, "--run", "example",
                                     "--data", Fixtures.url("search-r1/flashrag-nq-test-sample.jsonl").path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(try db.store.runs().map(\.name) == ["verl", "example"])
    }

    @Test func badLineAbortsWithFileAndLineAndStoresNothing() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let bad = Fixtures.url("verl/bad/5.jsonl").path
        let result = try runSearchlab(["import", bad, "--format", "verl-jsonl", "--db", db.path, "--run", "r"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(bad):2: not valid JSON"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try db.store.runs().isEmpty)
    }

    @Test func keepGoingReportsEachBadLineAndExitsNonZero() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let bad = Fixtures.url("verl/bad/5.jsonl").path
        let result = try runSearchlab(["import", bad, "--format", "verl-jsonl", "--db", db.path, "--run", "r", "--keep-going"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1] == "error: \(bad):3: missing field \"output\" (the decoded response, a string)")
        #expect(lines[2] == "skipped 2 of 4 records with errors")
        #expect(result.stdout == "imported 2 trajectories into run r (\(db.path))\n")
    }

    @Test func unreadableInputsAreOneLineErrors() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let missing = db.dir.appendingPathComponent("nope.jsonl").path
        let result = try runSearchlab(["import", missing, "--format", "search-r1", "--db", db.path, "--run", "r"])
        #expect(result.stderr == "error: \(missing): the file does not exist\n")
        let directory = try runSearchlab(["import", db.dir.path, "--format", "search-r1", "--db", db.path, "--run", "r"])
        #expect(directory.stderr == "error: \(db.dir.path): the file is a directory, not a file\n")
        let name = try runSearchlab(["import", Fixtures.url("verl/3.jsonl").path, "--format", "verl-jsonl", "--db", db.path, "--run", "a:b"])
        #expect(name.status == 1 && name.stderr.contains("run name \"a:b\""))
    }

    @Test func newerDatabaseIsRefusedByEveryCommand() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        try db.importFiles(["verl/3.jsonl"], format: .verlJSONL, run: "verl")
        try db.store.write { try $0.db.execute(sql: "PRAGMA user_version = 7") }
        for arguments in [["count"], ["diff", "1", "2"], ["graph", "1", "--out", db.dir.appendingPathComponent("x.svg").path],
                          ["import", Fixtures.url("verl/4.jsonl").path, "--format", "verl-jsonl", "--run", "more"],
                          ["replay", "1", "--engine", "random", "--corpus", Fixtures.url("search-r1/example-corpus.jsonl").path]] {
            let result = try runSearchlab(arguments + ["--db", db.path])
            #expect(result.status == 1)
            #expect(scrub(result.stderr, db) == "error: DB: the database has schema version 7, newer than this searchlab reads (\(StoreSchema.version)); upgrade searchlab\n")
        }
    }
}
