// Schema v3 stores each text once and rebuilds the rest on read: every trajectory must still
// come back exactly (same value, same canonical JSON digest), whether its rows alone
// describe it or it had to keep its canonical JSON.
import Foundation
import GRDB
import SearchLabCore
@testable import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct LeanRowsTests {
    func freshStore() throws -> (RunStore, URL) {
        let dir = try Fixtures.temporaryDirectory()
        return (try RunStore(path: dir.appendingPathComponent("runs.sqlite").path), dir)
    }

    /// Stores `trajectories` (one step, sample indices made unique) and reads them back.
    func roundTrip(_ trajectories: [Trajectory], in store: RunStore, run: String) throws -> [(Trajectory, StoredTrajectory)] {
        let runID = try store.createRun(RunSpec(name: run, source: "trainer", codeVersion: "test")).id!
        let unique = trajectories.enumerated().map { index, t in
            var t = t
            t.question.sampleIndex = index
            return t
        }
        let ids = try store.writeStep(runID: runID, step: 0, metrics: [:], trajectories: unique)
        return zip(unique, try store.trajectories(ids: ids)).map { ($0, $1) }
    }

    func storedJSONCount(_ store: RunStore) throws -> Int {
        try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(canonical_json) FROM trajectory_text") ?? -1 }
    }

    @Test func aRolloutLoopTrajectoryIsStoredWithoutJSONOrRepeatedText() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try SampleTrajectories.searchThenAnswer()
        let pairs = try roundTrip([original], in: store, run: "r")
        #expect(pairs[0].1.trajectory == original)
        #expect(try storedJSONCount(store) == 0)
        let turns = try store.read { try TurnRecord.order(TurnRecord.Columns.turnIndex).fetchAll($0) }
        // Turn 0's raw generation has a tail beyond the kept text; turn 1's is the kept text.
        #expect(turns.map { $0.rawGeneration == nil } == [false, true])
        // The information block is exactly Search-R1's rendering of the two documents.
        #expect(turns.map(\.observationText) == [nil, nil])
        #expect(turns.map(\.observationKind) == ["information", nil])
    }

    @Test func generatedTrajectoriesComeBackExactlyWithTheirDigests() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = InputRandom(20261126)
        var trajectories: [Trajectory] = []
        for index in 0..<600 {
            var t = TrajectoryJSONWriterTests.trajectory(&r)
            // Half of them shaped like real rollouts: derivable observations, raw == kept text.
            if index % 2 == 0 {
                for k in t.turns.indices {
                    t.turns[k].rawGeneration = t.turns[k].text
                    if let observation = t.turns[k].observation {
                        t.turns[k].observation = observation.kind == .information
                            ? SearchR1Format.informationObservation(observation.documents)
                            : SearchR1Format.invalidObservation
                    }
                }
            }
            trajectories.append(t)
        }
        for (original, stored) in try roundTrip(trajectories, in: store, run: "gen") {
            try #require(stored.trajectory == original, "\(original)")
            #expect(try stored.trajectory.contentDigest() == stored.record.contentDigest)
            #expect(stored.record.contentDigest == (try original.contentDigest()))
        }
        // The generator's -0.0 rewards and scores and NUL characters need the JSON; the rest
        // came back from their rows alone.
        let needJSON = try trajectories.filter { t in
            var writer = TrajectoryJSONWriter()
            try writer.write(t)
            #expect(writer.wroteNUL == String(decoding: writer.bytes, as: UTF8.self).contains(#"\u0000"#))
            return !RowLayout.rebuildable(t, holdsNUL: writer.wroteNUL)
        }.count
        #expect(try storedJSONCount(store) == needJSON)
        #expect(needJSON > 0 && needJSON < 500, "\(needJSON) of 600 kept their JSON")
    }

    @Test func trajectoriesTheRowsCannotDescribeKeepTheirJSON() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try SampleTrajectories.searchThenAnswer()
        var negativeZero = base
        negativeZero.outcome.reward = -0.0
        var repeatedRank = base
        repeatedRank.turns[0].observation!.documents[1].rank = 1
        var nul = base
        nul.turns[1].text += "\u{0}after"
        var unordered = base
        unordered.turns.swapAt(0, 1)
        for (original, stored) in try roundTrip([negativeZero, repeatedRank, nul, unordered], in: store, run: "odd") {
            #expect(stored.trajectory == original)
            #expect(try CanonicalJSON.string(stored.trajectory) == (try CanonicalJSON.string(original)))
        }
        #expect(try storedJSONCount(store) == 4)
    }

    @Test func theFastInformationBlockEqualsSearchR1sRendering() {
        let ends = ["", " ", "\n", "\t \n", "\u{A0}", "x\u{2003}", "é", "\u{3000}\n", "\u{1C}", "\u{85}"]
        var checked = 0
        for a in ends {
            for b in ends {
                let documents = [
                    RetrievedDocument(id: "d1", title: "\"T\(a)\"", text: "one\(b)", score: 1, rank: 1),
                    RetrievedDocument(id: nil, title: "", text: "two\(a)\(b)", score: nil, rank: 2),
                ]
                for list in [[], Array(documents.prefix(1)), documents] {
                    #expect(RowLayout.informationBlockBytes(list) == Array(SearchR1Format.informationBlock(list).utf8))
                    checked += 1
                }
            }
        }
        #expect(checked == 300)
    }

    @Test func canonicallyEquivalentButDifferentBytesAreNotDerived() {
        // "é" precomposed vs decomposed: equal as Swift strings, different canonical JSON.
        let documents = [RetrievedDocument(id: "d", title: "\"Caf\u{E9}\"", text: "x", score: nil, rank: 1)]
        var observation = SearchR1Format.informationObservation(documents)
        #expect(RowLayout.isDerivable(observation))
        observation.text = observation.text.replacingOccurrences(of: "\u{E9}", with: "e\u{301}")
        #expect(observation.text == SearchR1Format.informationBlock(documents))
        #expect(!RowLayout.isDerivable(observation))
        let turn = Turn(index: 0, rawGeneration: "caf\u{E9}", text: "cafe\u{301}", action: .invalid, observation: nil)
        #expect(PreparedTurn(turn).rawGeneration != nil)
    }

    @Test func byteLevelQueryKeysAndHopsEqualTheStringVersions() {
        var r = InputRandom(7)
        let pieces = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1F}", "a", "Z", "Q", "0", "9", "12", "-", "_",
                      "hop", "Hop", "é", "\u{A0}", "İ", "\u{301}"]
        for _ in 0..<5000 {
            let text = (0..<r.below(8)).map { _ in r.pick(pieces) }.joined()
            #expect(TrajectoryStats.queryKey(text) == PythonText.lower(PythonText.strip(text)), "\(Array(text.unicodeScalars))")
            func reference(_ source: String) -> Int? {
                guard let range = source.range(of: "hop") else { return nil }
                let digits = source[..<range.lowerBound].reversed().prefix { $0.isASCII && $0.isNumber }
                return digits.isEmpty ? nil : Int(String(digits.reversed()))
            }
            let source = "sim-" + text
            #expect(TrajectoryStats.hops(dataSource: source) == reference(source), "\(source)")
        }
        #expect(TrajectoryStats.hops(dataSource: "sim-12hop") == 12)
        #expect(TrajectoryStats.hops(dataSource: "hotpotqa") == nil)
    }

    @Test func theDigestEqualsCanonicalJSONs() {
        for text in ["", "a", String(repeating: "é🙂", count: 500)] {
            let bytes = Array(text.utf8)
            #expect(PreparedTrajectory.sha256Hex(bytes) == CanonicalJSON.sha256Hex(bytes))
        }
    }
}
