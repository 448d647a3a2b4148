import Foundation
import GRDB
import SearchLabCore
import SearchLabEngines
import SearchLabTestSupport
import Testing

/// Queries that a sloppy log would confuse: case, spacing, quotes, newlines, and the two
/// Unicode spellings of "é" (equal as Swift strings, different as bytes).
let trickyQueries = [
    "who founded Varo?", "Who founded Varo?", "who founded Varo? ", "say \"hi\"\nthen leave",
    "caf\u{E9}", "cafe\u{301}", "", "一二三 🦜",
]

@Suite struct RetrievalLogTests {
    func withLog<T>(_ body: (URL) async throws -> T) async throws -> T {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        return try await body(dir.appendingPathComponent("retrieval.sqlite"))
    }

    @Test func recordThenReplayIsByteIdentical() async throws {
        try await withLog { url in
            let live = RandomEngine(corpus: try exampleCorpus(), seed: 11)
            let recording = RecordingEngine(live, log: try RetrievalLog(path: url.path, create: true))
            let recorded = try await recording.search(trickyQueries, topK: 4)
            let direct = try await live.search(trickyQueries, topK: 4)
            #expect(recorded == direct)

            // A fresh handle on the file, as a later run would open it.
            let replay = RecordedEngine(log: try RetrievalLog(path: url.path, create: false), fingerprint: live.fingerprint)
            let replayed = try await replay.search(trickyQueries.reversed(), topK: 4)
            let expected = try SearchR1Wire.responseBody(recorded.reversed(), returnScores: true)
            #expect(try SearchR1Wire.responseBody(replayed, returnScores: true) == expected)
            #expect(replayed.map { $0.map(\.score) } == recorded.reversed().map { $0.map(\.score) })
        }
    }

    @Test func logStoresFingerprintPartsQueriesAndRankedResults() async throws {
        try await withLog { url in
            let corpus = try exampleCorpus()
            let live = RandomEngine(corpus: corpus, seed: 11)
            let log = try RetrievalLog(path: url.path, create: true)
            let hits = try await RecordingEngine(live, log: log).search(["caf\u{E9}", "cafe\u{301}"], topK: 2)
            let queue = try DatabaseQueue(path: url.path)
            try await queue.read { db in
                let engine = try #require(try Row.fetchOne(db, sql: "SELECT name, index_digest, parameters FROM engine"))
                #expect(engine[0] == "random")
                #expect(engine[1] == corpus.digest)
                #expect(engine[2] == #"{"seed":"11"}"#)
                let queries = try Data.fetchAll(db, sql: "SELECT CAST(query AS BLOB) FROM call ORDER BY id")
                #expect(queries == [Data("caf\u{E9}".utf8), Data("cafe\u{301}".utf8)])
                let rows = try Row.fetchAll(db, sql: "SELECT rank, doc_id, score FROM result WHERE call_id = 1 ORDER BY rank")
                #expect(rows.map { $0[0] as Int } == [1, 2])
                #expect(rows.map { $0[1] as String } == hits[0].map(\.document.id))
                #expect(rows.map { $0[2] as Double } == hits[0].map(\.score))
                #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            }
        }
    }

    @Test func strictReplayMissNamesTheQueryTopKAndFingerprint() async throws {
        try await withLog { url in
            let live = RandomEngine(corpus: try exampleCorpus(), seed: 11)
            let log = try RetrievalLog(path: url.path, create: true)
            _ = try await RecordingEngine(live, log: log).search(["caf\u{E9}"], topK: 3)
            let replay = RecordedEngine(log: log, fingerprint: live.fingerprint)
            // Same text, other Unicode spelling: a different query as sent.
            do {
                _ = try await replay.search(["caf\u{E9}", "cafe\u{301}"], topK: 3)
                Issue.record("expected a miss")
            } catch let miss as ReplayMiss {
                // Compare bytes: Swift's String == treats the two spellings as equal.
                #expect(Array(miss.query.utf8) == Array("cafe\u{301}".utf8))
                #expect(miss.topK == 3 && miss.fingerprint == live.fingerprint)
            }
            // Same query, other top-k: also a miss.
            do {
                _ = try await replay.search(["caf\u{E9}"], topK: 5)
                Issue.record("expected a miss")
            } catch let miss as ReplayMiss {
                #expect(miss.description == "no recorded answer in \(url.path) for query \"café\" with top-k 5 under engine \(live.fingerprint); record it first (--record) or fall through with --on-miss ENGINE")
            }
        }
    }

    @Test func onMissFallsThroughAndRecords() async throws {
        try await withLog { url in
            let live = RandomEngine(corpus: try exampleCorpus(), seed: 11)
            let log = try RetrievalLog(path: url.path, create: true)
            _ = try await RecordingEngine(live, log: log).search(["known"], topK: 3)
            #expect(try log.callCount() == 1)
            let lenient = RecordedEngine(log: log, fingerprint: live.fingerprint, onMiss: live)
            let answers = try await lenient.search(["known", "new one", "new two"], topK: 3)
            let direct = try await live.search(["known", "new one", "new two"], topK: 3)
            #expect(answers == direct)
            #expect(try log.callCount() == 3)
            // Now a strict replay knows them.
            let strict = RecordedEngine(log: try RetrievalLog(path: url.path, create: false), fingerprint: live.fingerprint)
            let replayed = try await strict.search(["new two", "new one"], topK: 3)
            #expect(replayed == [answers[2], answers[1]])
        }
    }

    @Test func firstAnswerForAKeyStays() async throws {
        try await withLog { url in
            let log = try RetrievalLog(path: url.path, create: true)
            let first = SearchHit(document: CorpusDocument(id: "a", contents: "\"A\"\nx"), score: 0.5)
            let second = SearchHit(document: CorpusDocument(id: "b", contents: "\"B\"\ny"), score: 0.25)
            try log.record(fingerprint: "custom engine", calls: [RecordedCall(query: "q", topK: 1, hits: [first])])
            try log.record(fingerprint: "custom engine", calls: [RecordedCall(query: "q", topK: 1, hits: [second])])
            #expect(try log.lookup(fingerprint: "custom engine", queries: ["q", "r"], topK: 1) == [[first], nil])
            #expect(try log.fingerprints() == ["custom engine"])
            #expect(try RecordedEngine.soleFingerprint(in: log) == "custom engine")
        }
    }

    @Test func refusesMissingFilesAndForeignDatabases() async throws {
        try await withLog { url in
            #expect(throws: SearchLabError("\(url.path): the retrieval log does not exist")) {
                try RetrievalLog(path: url.path, create: false)
            }
            let queue = try DatabaseQueue(path: url.path)
            try await queue.write { db in try db.execute(sql: "CREATE TABLE runs (id INTEGER PRIMARY KEY)") }
            #expect(throws: SearchLabError("\(url.path): this SQLite file is not a retrieval log")) {
                try RetrievalLog(path: url.path, create: true)
            }
            let garbage = url.deletingLastPathComponent().appendingPathComponent("garbage.sqlite")
            try Data(repeating: 0x41, count: 4096).write(to: garbage)
            #expect {
                try RetrievalLog(path: garbage.path, create: false)
            } throws: { error in
                "\(error)".hasPrefix("\(garbage.path): not a usable retrieval log")
            }
        }
    }
}

@Suite struct EngineFactoryTests {
    @Test func buildsRecordAndReplayStacks() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log.sqlite").path
        var spec = EngineSpec(kind: .random)
        spec.corpusPath = Fixtures.url("search-r1/example-corpus.jsonl").path
        spec.seed = 5
        spec.recordLog = log
        let recorded = try await EngineFactory.make(spec).search(["q1", "q2"], topK: 2)

        var replay = EngineSpec(kind: .recorded)
        replay.replayLog = log
        #expect(try await EngineFactory.make(replay).search(["q2"], topK: 2) == [recorded[1]])

        // Replaying "the random engine with these options" finds the same calls.
        spec.recordLog = nil
        spec.replayLog = log
        #expect(try await EngineFactory.make(spec).search(["q1"], topK: 2) == [recorded[0]])
        await #expect(throws: ReplayMiss.self) { try await EngineFactory.make(spec).search(["q3"], topK: 2) }
        spec.onMiss = .random
        #expect(try await EngineFactory.make(spec).search(["q3"], topK: 2).count == 1)
        #expect(try RetrievalLog(path: log, create: false).callCount() == 3)
    }

    /// A world directory gives each engine its files: the BM25 index (built on first use),
    /// the corpus, and both splits' supporting passages for the oracle (filled randomly).
    @Test func aWorldDirectorySuppliesEveryEnginesFiles() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        let corpus = words.enumerated().map { #"{"id": "p\#($0)", "contents": "\"Title \#($1)\"\ntext about \#($1) rivers"}"# }
        try Data((corpus.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("corpus.jsonl"))
        for (split, passage) in [("train", "p1"), ("test", "p4")] {
            let line = #"{"id": "\#(split)_0", "question": "q \#(split)?", "golden_answers": ["x"], "metadata": {"supporting_passages": ["\#(passage)"]}}"#
            try Data((line + "\n").utf8).write(to: dir.appendingPathComponent("\(split).jsonl"))
        }
        func engine(_ kind: EngineKind, _ configure: (inout EngineSpec) -> Void = { _ in }) throws -> any SearchEngine {
            var spec = EngineSpec(kind: kind)
            spec.worldDirectory = dir.path
            configure(&spec)
            return try EngineFactory.make(spec)
        }
        #expect(try await engine(.bm25).search(["delta"], topK: 1)[0].first?.document.id == "p3")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bm25.index").path))
        #expect(try engine(.bm25) { $0.k1 = 2 }.fingerprint.contains("\"k1\":2"))
        #expect(try await engine(.random).search(["anything"], topK: 2)[0].count == 2)
        let oracle = try engine(.oracle) as! any QuestionAwareSearchEngine
        let hits = try await oracle.search(["anything"], questionIDs: ["test_0"], topK: 3)[0]
        #expect(hits.first?.document.id == "p4" && hits.count == 3)   // the supporting passage, then random fillers
        #expect(try await (try engine(.oracle) { $0.oracleFill = .nothing } as! any QuestionAwareSearchEngine)
                    .search(["anything"], questionIDs: ["train_0"], topK: 3)[0].map(\.document.id) == ["p1"])
        #expect(throws: SearchLabError("--k1 and --b are only used by --engine bm25")) { try engine(.random) { $0.b = 0.5 } }
        #expect(throws: SearchLabError("--oracle-fill is only used by --engine oracle")) { try engine(.bm25) { $0.oracleFill = .random } }
    }

    @Test func missingOptionsAreNamed() {
        #expect(throws: SearchLabError("--engine random needs --corpus FILE (or --world DIR)")) { try EngineFactory.make(EngineSpec(kind: .random)) }
        #expect(throws: SearchLabError("--engine recorded needs --replay LOG")) { try EngineFactory.make(EngineSpec(kind: .recorded)) }
        #expect(throws: SearchLabError("--engine http needs --url URL")) { try EngineFactory.make(EngineSpec(kind: .http)) }
        var both = EngineSpec(kind: .empty)
        both.recordLog = "a"
        both.replayLog = "b"
        #expect(throws: SearchLabError.self) { try EngineFactory.make(both) }
        var stray = EngineSpec(kind: .empty)
        stray.url = "http://127.0.0.1:8000/retrieve"
        #expect(throws: SearchLabError("--url is only used by --engine http")) { try EngineFactory.make(stray) }
        var ftp = EngineSpec(kind: .http)
        ftp.url = "ftp://example.org/retrieve"
        #expect(throws: SearchLabError.self) { try EngineFactory.make(ftp) }
    }
}
