import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct ImportTests {
    @Test func searchR1TextImportsAndReconstructsTheExactText() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let summary = try db.importFiles(["search-r1/example-trajectory.txt"], format: .searchR1, run: "example")
        #expect(summary.stored == 2 && summary.skipped.isEmpty)
        // The file holds two ChatML conversations; stored back to back they are the file.
        let both = try db.store.trajectories(ids: [1, 2])
        #expect(both.map { $0.trajectory.render() }.joined() == (try Fixtures.text("search-r1/example-trajectory.txt")))
        let stored = both[0]
        #expect(stored.trajectory.question.text == "paul walkers cars in fast and furious list?")
        #expect(stored.record.questionID.hasPrefix("q-") && stored.record.searchCount >= 1)
        #expect(stored.publicID == "example:0:\(stored.record.questionID):0")
    }

    @Test func verlDumpImportsStepsSamplesGoldensAndRecordedScores() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let ids = try db.store.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM trajectory ORDER BY id") }
        let all = try db.store.trajectories(ids: ids)
        #expect(all.map(\.record.step) == [3, 3, 3, 3, 4, 4])
        #expect(all.map(\.record.sampleIndex) == [0, 1, 0, 1, 0, 1])
        #expect(all.map(\.trajectory.outcome.reward) == [1, 0, 1, 0, 1, 0])
        #expect(all.map(\.trajectory.outcome.exactMatch) == [true, false, true, false, true, false])
        #expect(all[0].trajectory.question.goldenAnswers == ["Wilhelm Conrad Röntgen"])
        #expect(all[0].trajectory.question.text == "who got the first nobel prize in physics?")
        #expect(all[0].record.groupID == all[1].record.groupID && all[0].record.groupID != all[2].record.groupID)
        #expect(all[3].record.repeatedQueries == 1 && all[3].record.searchesAfterHit == 1)
        #expect(all[5].record.status == "cut_off" && all[5].record.invalidActions == 1)
        let lines = try Fixtures.text("verl/3.jsonl").split(separator: "\n")
        let first = try JSONFields(JSONValue.parse(Data(lines[0].utf8)), expected: "")
        #expect(all[0].trajectory.render() == (try first.string("input")!) + (try first.string("output")!))
        #expect(!all[0].trajectory.malformations.contains { $0.kind == .noPrompt })
    }

    @Test func datasetSuppliesIDsAndGoldenAnswers() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let dir = db.dir
        let text = try SearchR1Format.prompt(question: "who got the first nobel prize in physics")
            + "<think>x</think>\n<answer> Wilhelm Conrad Röntgen </answer>"
        let lines = [try CanonicalJSON.string(JSONValue.object(["text": .string(text)])),
                     try CanonicalJSON.string(JSONValue.object(["text": .string(text), "id": .string("test_1")]))]
        let file = dir.appendingPathComponent("decoded.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let dataset = try DatasetAnswers(source: ImportSource(path: Fixtures.url("search-r1/flashrag-nq-test-sample.jsonl").path))
        let summary = try Importer(format: .searchR1, dataset: dataset, codeVersion: "test")
            .run([ImportSource(path: file.path)], into: db.store, runName: "nq")
        #expect(summary.stored == 2)
        let all = try db.store.trajectories(ids: [1, 2])
        #expect(all[0].record.questionID == "test_0" && all[0].record.exactMatch)
        #expect(all[1].record.questionID == "test_1" && !all[1].record.exactMatch)
        #expect(all[1].trajectory.question.goldenAnswers == ["May 18, 2018"])
    }

    @Test func malformedLineAbortsTheWholeImport() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let error = #expect(throws: LocatedError.self) {
            try db.importFiles(["verl/3.jsonl", "verl/bad/5.jsonl"], format: .verlJSONL, run: "bad")
        }
        #expect(error?.line == 2 && error?.file.hasSuffix("verl/bad/5.jsonl") == true)
        #expect(try db.store.runs().isEmpty)
        #expect(try db.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM trajectory") } == 0)
    }

    @Test func keepGoingStoresTheGoodLinesAndReportsTheBad() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let summary = try db.importFiles(["verl/bad/5.jsonl"], format: .verlJSONL, run: "bad", keepGoing: true)
        #expect(summary.stored == 2)
        #expect(summary.skipped.map(\.line) == [2, 3])
        #expect(summary.skipped[1].message == #"missing field "output" (the decoded response, a string)"#)
    }

    @Test func searchlabJSONRoundTripsThroughParseOutput() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let original = SequenceParser.parse(try Fixtures.text("search-r1/example-trajectory.txt"))
        let file = db.dir.appendingPathComponent("parsed.jsonl")
        try (try CanonicalJSON.string(original) + "\n").write(to: file, atomically: true, encoding: .utf8)
        try Importer(format: .searchlabJSON, codeVersion: "test").run([ImportSource(path: file.path)], into: db.store, runName: "own")
        let stored = try db.store.trajectory(.storeID(1))
        #expect(stored.trajectory.render() == original.render())
        #expect(stored.trajectory.turns == original.turns)
    }

    @Test func importingTheSameSamplesTwiceIsRefused() throws {
        let db = try TestDatabase()
        defer { db.remove() }
        let file = db.dir.appendingPathComponent("one.jsonl")
        try #"{"text": "<answer> x </answer>", "id": "a", "sample_index": 0}"#.write(to: file, atomically: true, encoding: .utf8)
        let importer = Importer(format: .searchR1, codeVersion: "test")
        try importer.run([ImportSource(path: file.path)], into: db.store, runName: "r")
        let error = #expect(throws: LocatedError.self) { try importer.run([ImportSource(path: file.path)], into: db.store, runName: "r") }
        #expect(error?.message.contains("already stored") == true)
    }
}
