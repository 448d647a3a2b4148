import Foundation
import SearchLabCore
import SearchLabEngines
import SearchLabServer
import SearchLabTestSupport
import Testing

@Suite struct ConcurrencyTests {
    @Test func eightClientsManyRequestsNoErrors() async throws {
        let engine = RandomEngine(corpus: try exampleCorpus(), seed: 4)
        try await withServer(engine: engine) { base in
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var failures = 0
                        for request in 0..<25 {
                            let queries = ["client \(client) request \(request)", "shared query"]
                            let body = try SearchR1Wire.requestBody(queries: queries, topK: 3, returnScores: true)
                            let reply = try await Client.post(base, body: body)
                            let expected = try SearchR1Wire.responseBody(try await engine.search(queries, topK: 3), returnScores: true)
                            if reply.status != 200 || reply.body != expected { failures += 1 }
                        }
                        return failures
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(failures == 0)
        }
    }

    @Test func recordingServerUnderConcurrentLoadLogsEveryQuery() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("log.sqlite").path
        let live = RandomEngine(corpus: try exampleCorpus(), seed: 4)
        let recording = RecordingEngine(live, log: try RetrievalLog(path: path, create: true))
        try await withServer(engine: recording) { base in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<8 {
                    group.addTask {
                        for request in 0..<10 {
                            let reply = try await Client.post(base, json: #"{"queries": ["c\#(client) r\#(request)"]}"#)
                            #expect(reply.status == 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(try RetrievalLog(path: path, create: false).callCount() == 80)
    }
}

@Suite struct HTTPEngineTests {
    @Test func httpEngineAgainstOurServerReturnsTheServedEnginesAnswer() async throws {
        let served = RandomEngine(corpus: try exampleCorpus(), seed: 9)
        let queries = ["alpha", "caf\u{E9}", "say \"hi\"\nthen leave", "alpha"]
        try await withServer(engine: served) { base in
            let client = HTTPEngine(url: base.appendingPathComponent("retrieve"), timeout: Client.timeout)
            // Scores cross the wire as shortest round-trip decimals: bit-identical doubles.
            let remote = try await client.search(queries, topK: 4)
            let direct = try await served.search(queries, topK: 4)
            #expect(remote == direct)
            let none = try await client.search(queries, topK: 0)
            #expect(none == [[], [], [], []])
            await #expect {
                try await client.search(["a"], topK: 1000)
            } throws: { error in
                "\(error)".contains("answered HTTP 422") && "\(error)".contains("at most 100 documents")
            }
        }
    }

    @Test func unreachableServerIsAClearError() async throws {
        // Port 9 (discard) on loopback: nothing listens there in a test sandbox.
        let client = HTTPEngine(url: URL(string: "http://127.0.0.1:9/retrieve")!, timeout: 5)
        await #expect {
            try await client.search(["a"], topK: 3)
        } throws: { error in
            "\(error)".hasPrefix("http engine: cannot reach http://127.0.0.1:9/retrieve")
        }
    }

    /// The engine's own timeout decides: a server that takes longer than it (20 s here) is an
    /// error naming the limit. (No wall-clock bound is asserted: in the whole suite a starved
    /// cooperative pool may resume this test long after Foundation gave up.)
    @Test func aSlowServerIsATimeoutNamingTheLimit() async throws {
        struct SlowEngine: SearchEngine {
            var fingerprint: String { "slow" }
            func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
                try await Task.sleep(nanoseconds: 20_000_000_000)
                return queries.map { _ in [] }
            }
        }
        try await withServer(engine: SlowEngine()) { base in
            let client = HTTPEngine(url: base.appendingPathComponent("retrieve"), timeout: 1)
            await #expect {
                try await client.search(["a"], topK: 3)
            } throws: { error in
                "\(error)" == "http engine: \(base.appendingPathComponent("retrieve").absoluteString) did not answer within 1.0 s"
            }
        }
    }

    @Test func readsResponsesWithoutScoresOrIds() throws {
        let bare = #"{"result": [[{"id": 3, "contents": "\"T\"\nx"}], [{"document": {"contents": "\"S\"\ny"}}]]}"#
        let hits = try SearchR1Wire.decodeResponse(Data(bare.utf8))
        #expect(hits == [[SearchHit(document: CorpusDocument(id: "3", contents: "\"T\"\nx"), score: 0)],
                         [SearchHit(document: CorpusDocument(id: "", contents: "\"S\"\ny"), score: 0)]])
        #expect(throws: SearchLabError("result[0][0]: missing field \"contents\" (a string)")) {
            try SearchR1Wire.decodeResponse(Data(#"{"result": [[{"id": "1"}]]}"#.utf8))
        }
    }
}
