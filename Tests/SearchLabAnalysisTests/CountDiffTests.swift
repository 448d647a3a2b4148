import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct CountTests {
    @Test(arguments: [CountGrouping.run, .step, .outcome, .turn])
    func countSnapshots(by grouping: CountGrouping) throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let table = try SearchCounts.table(store: db.store, runs: [], by: grouping)
        let failure = snapshotMismatch(table.text() + "\n" + table.csv() + "\n" + (try table.json()), named: "count-\(grouping.rawValue).txt")
        #expect(failure == nil, "\(failure ?? "")")
    }

    @Test func searchR1MetricsMatchHandComputedValues() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let table = try SearchCounts.table(store: db.store, runs: ["verl"], by: .step)
        func cell(_ row: Int, _ column: String) -> TableValue { table.rows[row][table.columns.firstIndex(of: column)!] }
        // Step 3: turns 2, 2, 2, 3; searches answered 1, 1, 1, 2; all finished, all actions valid.
        #expect(cell(0, "env/number_of_actions/mean") == .real(2.25))
        #expect(cell(0, "env/number_of_actions/max") == .integer(3))
        #expect(cell(0, "env/number_of_valid_search") == .real(1.25))
        #expect(cell(0, "env/finish_ratio") == .real(1))
        #expect(cell(0, "env/ratio_of_valid_action") == .real(1))
        #expect(cell(0, "searches_distribution").plain == "1:3 2:1")
        // Step 4: one answer in 2 turns, one untagged response (1 turn, invalid, cut off).
        #expect(cell(1, "env/finish_ratio") == .real(0.5))
        #expect(cell(1, "env/ratio_of_valid_action") == .real(0.5))
        #expect(cell(1, "invalid_actions_mean") == .real(0.5))
    }

    @Test func unknownRunAndEmptyDatabaseAreOneLineErrors() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let empty = try runSearchlab(["count", "--db", db.path])
        #expect(empty.status == 1)
        #expect(scrub(empty.stderr, db) == "error: DB has no runs yet; add one with `searchlab import FILE --db DB --run NAME`\n")
        try db.importFiles(["verl/3.jsonl"], format: .verlJSONL, run: "verl")
        let unknown = try runSearchlab(["count", "--db", db.path, "--run", "nope"])
        #expect(unknown.status == 1)
        #expect(scrub(unknown.stderr, db) == "error: no run \"nope\" in DB; runs: verl\n")
        let missing = try runSearchlab(["count", "--db", db.dir.appendingPathComponent("typo.sqlite").path])
        #expect(missing.status == 1 && missing.stderr.contains("no such database") && missing.stderr.split(separator: "\n").count == 1)
    }
}

@Suite struct DiffTests {
    @Test func trajectoryDiffSnapshots() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let text = try runSearchlab(["diff", "verl:3:\(try questionID(db, 1)):0", "#4", "--db", db.path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stdout.contains("\u{1B}["), "piped output must not be coloured")
        let json = try runSearchlab(["diff", "1", "2", "--db", db.path, "--format", "json"])
        let failure = snapshotMismatch(text.stdout + "\n" + json.stdout, named: "diff-trajectories.txt")
        #expect(failure == nil, "\(failure ?? "")")
    }

    @Test func diffOfTheSameQuestionFindsTheQueryDivergence() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let diff = TrajectoryDiff(try db.store.trajectory(.storeID(1)), try db.store.trajectory(.storeID(2)))
        #expect(diff.firstDivergence?.turn == 0 && diff.firstDivergence?.aspect == .think)
        #expect(diff.turns[0].documents?.jaccard == 0)
        let same = TrajectoryDiff(try db.store.trajectory(.storeID(1)), try db.store.trajectory(.storeID(5)))
        #expect(same.identical && same.firstDivergence == nil)
    }

    @Test func colourOnlyWhenAskedAndNotWithNoColor() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let diff = TrajectoryDiff(try db.store.trajectory(.storeID(1)), try db.store.trajectory(.storeID(2)))
        #expect(diff.text(palette: Palette(enabled: true)).contains("\u{1B}[31m"))
        #expect(!diff.text(palette: Palette(enabled: false)).contains("\u{1B}["))
        let piped = try runSearchlab(["diff", "1", "2", "--db", db.path], environment: ["NO_COLOR": "1"])
        #expect(!piped.stdout.contains("\u{1B}["))
    }

    @Test func runDiffSnapshotAndReasons() throws {
        let db = try TestDatabase.twoRuns()
        defer { db.remove() }
        let diff = try RunDiff(store: db.store, a: "a", b: "b")
        #expect(diff.totals.shared == 2 && diff.totals.rightToWrong == 2)
        #expect(diff.flips.map(\.reason).sorted { $0.rawValue < $1.rawValue } == [.differentQuery, .sameDocumentsDifferentAnswer])
        let text = try runSearchlab(["diff", "--run-a", "a", "--run-b", "b", "--db", db.path])
        let reverse = try runSearchlab(["diff", "--run-a", "b", "--run-b", "a", "--db", db.path, "--format", "json"])
        let failure = snapshotMismatch(text.stdout + "\n" + reverse.stdout, named: "diff-runs.txt")
        #expect(failure == nil, "\(failure ?? "")")
    }

    @Test func unknownTrajectoryIsAOneLineError() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let result = try runSearchlab(["diff", "1", "verl:9:nope:0", "--db", db.path])
        #expect(result.status == 1)
        #expect(scrub(result.stderr, db) == "error: no trajectory verl:9:nope:0 in DB; list them with `searchlab count --db DB --by step`\n")
        let bad = try runSearchlab(["diff", "1", "x:y", "--db", db.path])
        #expect(bad.status == 1 && bad.stderr.contains("is not a trajectory id"))
    }

    func questionID(_ db: TestDatabase, _ id: Int64) throws -> String {
        try db.store.trajectory(.storeID(id)).record.questionID
    }
}
