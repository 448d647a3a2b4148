import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing

/// `searchlab serve` run as a user runs it: a child process on a free port.
final class ServeProcess {
    let process = Process()
    let base: URL

    init(_ arguments: [String]) throws {
        process.executableURL = searchlabBinary()
        process.arguments = ["serve", "--port", "0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line announces the bound address.
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
        }
        let line = String(decoding: printed, as: UTF8.self)
        guard let range = line.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
              let url = URL(string: String(line[range])) else {
            process.terminate()
            throw SearchLabError("serve printed no address: \(line)")
        }
        base = url
    }

    /// Stops the server with SIGTERM (graceful shutdown) and returns its exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite(.serialized) struct ServeCommandTests {
    let corpus = Fixtures.url("search-r1/example-corpus.jsonl").path

    @Test func recordThenReplayThroughTheCLI() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log.sqlite").path
        let request = #"{"queries": ["who was evan morris", "ao oni"], "topk": 3, "return_scores": true}"#

        let recording = try ServeProcess(["--engine", "random", "--corpus", corpus, "--seed", "3", "--record", log])
        let live = try await Client.post(recording.base, json: request)
        #expect(live.status == 200)
        #expect(recording.stop() == 0)

        let replaying = try ServeProcess(["--replay", log])
        let replayed = try await Client.post(replaying.base, json: request)
        #expect(replayed.status == 200)
        #expect(replayed.body == live.body)
        let miss = try await Client.post(replaying.base, json: #"{"queries": ["never asked"]}"#)
        #expect(miss.status == 500)
        #expect(miss.errorMessage?.contains(#"query "never asked" with top-k 3"#) == true)
        #expect(replaying.stop() == 0)

        let lenient = try ServeProcess(["--replay", log, "--on-miss", "random", "--corpus", corpus, "--seed", "3"])
        #expect(try await Client.post(lenient.base, json: #"{"queries": ["never asked"]}"#).status == 200)
        #expect(lenient.stop() == 0)
    }

    @Test func aPortInUseIsAClearErrorAndTheFirstServerKeepsServing() async throws {
        let first = try ServeProcess(["--engine", "empty"])
        defer { _ = first.stop() }
        let port = try #require(first.base.port)
        let second = try runSearchlab(["serve", "--engine", "empty", "--port", String(port)])
        #expect(second.status == 1)
        #expect(second.stderr.hasPrefix("error: cannot serve on 127.0.0.1:\(port): "))
        let health = try await Client.get(first.base, "health")
        #expect(health.status == 200)
    }

    @Test func badOptionsFailWithOneLine() throws {
        let noCorpus = try runSearchlab(["serve", "--engine", "random"])
        #expect(noCorpus.status == 1)
        #expect(noCorpus.stderr == "error: --engine random needs --corpus FILE (or --world DIR)\n")
        let unknown = try runSearchlab(["serve", "--engine", "bogus"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: --engine must be one of bm25, random, empty, oracle, http, recorded"))
        let missingLog = try runSearchlab(["serve", "--replay", "/nonexistent/log.sqlite"])
        #expect(missingLog.stderr == "error: /nonexistent/log.sqlite: the retrieval log does not exist\n")
        let badCorpus = try runSearchlab(["serve", "--engine", "random", "--corpus", Fixtures.url("search-r1/flashrag-nq-test-sample.jsonl").path])
        #expect(badCorpus.stderr.hasSuffix(#"flashrag-nq-test-sample.jsonl:1: missing field "contents" (a string: "\"Title\"\ntext")"# + "\n"))
    }
}
