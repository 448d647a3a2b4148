import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

/// `searchlab scan` end to end: on a trained run (gold chains from its world, the oracle
/// what-if) and on imported Search-R1 rollouts.
@Suite(.serialized) struct ScanCommandTests {
    func fixture() throws -> ReplayFixture { try ReplayFixture.shared.get() }

    func scan(_ arguments: [String]) throws -> ScanReport {
        let result = try runSearchlab(["scan", "--format", "json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(ScanReport.self, from: Data(result.stdout.utf8))
    }

    @Test func everyMissOfATrainedRunGetsAClassAndTheCountsAddUp() throws {
        let f = try fixture()
        let report = try scan(["--db", f.db, "--run", "tr"])
        let store = try RunStore(path: f.db, create: false)
        let record = try store.run(named: "tr")
        #expect(report.missed == (try store.failingTrajectoryIDs(runID: record.id!)).count)
        #expect(report.trajectories == (try store.trajectoryCount(runID: record.id!)))
        #expect(report.rows.count == report.missed && report.missed > 0)
        #expect(report.rows.allSatisfy { !$0.findings.isEmpty })
        // The run's world.dir supplied the gold chains; the hop groups come from them.
        #expect(report.chainSources.map { URL(fileURLWithPath: $0).lastPathComponent } == ["train.jsonl", "test.jsonl"])
        #expect(report.rows.allSatisfy { $0.hops != nil })
        for summary in report.classes {
            #expect(summary.count == report.rows.filter { $0.findings.contains { $0.failureClass == summary.failureClass } }.count)
            #expect(summary.examples.count == min(summary.count, ScanReport.examplesPerClass))
        }
        #expect(report.bySource.map(\.missed).reduce(0, +) == report.missed)
        #expect(report.byStepRange.map(\.trajectories).reduce(0, +) == report.trajectories)
        // The table says the same.
        let text = try runSearchlab(["scan", "--db", f.db, "--run", "tr"])
        #expect(text.stdout.hasPrefix("scan of run tr: \(report.missed) of \(report.trajectories) trajectories missed"))
    }

    @Test func theOracleSaysPerClassWhatPerfectRetrievalWouldFix() throws {
        let f = try fixture()
        let report = try scan(["--db", f.db, "--run", "tr", "--oracle", "--limit", "3"])
        #expect(report.oracleEngine?.contains("\"engine\":\"oracle\"") == true)
        #expect(report.rows.filter { $0.oracleFixed != nil }.count == 3)
        for summary in report.classes {
            let members = report.rows.filter { $0.findings.contains { $0.failureClass == summary.failureClass } }
            #expect(summary.oracleReplayed == members.filter { $0.oracleFixed != nil }.count)
            #expect(summary.oracleFixed == members.filter { $0.oracleFixed == true }.count)
        }
    }

    @Test func importedSearchR1RolloutsAreScannedToo() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("import.sqlite").path
        let imported = try runSearchlab(["import", Fixtures.url("verl/3.jsonl").path, Fixtures.url("verl/4.jsonl").path,
                                         "--format", "verl-jsonl", "--db", db, "--run", "verl"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let report = try scan(["--db", db, "--run", "verl"])
        #expect(report.trajectories == 6)
        #expect(report.rows.allSatisfy { !$0.findings.isEmpty })
        #expect(report.chainSources.isEmpty)
        let text = try runSearchlab(["scan", "--db", db, "--run", "verl"])
        #expect(text.stdout.contains("gold chains: none (hop_skipped not checked; pass --dataset FILE or --world DIR)"))
    }

    @Test(arguments: [
        (["--run", "nope"], "error: no run \"nope\" in"),
        (["--run", "tr", "--limit", "2"], "Error: --limit bounds the --oracle replays; pass --oracle too"),
        (["--run", "tr", "--dataset", "/nonexistent.jsonl"], "error: /nonexistent.jsonl: cannot read the dataset file"),
    ])
    func badInputIsOneLine(arguments: [String], expected: String) throws {
        let f = try fixture()
        let result = try runSearchlab(["scan", "--db", f.db] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix(expected), "\(result.stderr)")
    }
}
