import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SearchLabCore
import SearchLabEngines
import SearchLabServer
import SearchLabTestSupport
import Testing

/// A refused request: what was sent, and the status and error words expected back.
struct BadRequest: Sendable, CustomTestStringConvertible {
    var body: String
    var status: Int
    var mentions: String
    var testDescription: String { body.count > 60 ? String(body.prefix(60)) + "…" : body }
}

let badRequests: [BadRequest] = [
    BadRequest(body: #"{"queries": ["a"], "topk": 3"#, status: 400, mentions: "not valid JSON"),
    BadRequest(body: "", status: 400, mentions: "not valid JSON"),
    BadRequest(body: #"["a", "b"]"#, status: 422, mentions: "must be a JSON object"),
    BadRequest(body: #"{"topk": 3}"#, status: 422, mentions: #"missing field "queries""#),
    BadRequest(body: #"{"queries": "who"}"#, status: 422, mentions: #"field "queries" must be a list of strings, got a string"#),
    BadRequest(body: #"{"queries": []}"#, status: 422, mentions: #"field "queries" must not be empty"#),
    BadRequest(body: #"{"queries": ["a", 7]}"#, status: 422, mentions: #"field "queries"[1] must be a string, got a number"#),
    BadRequest(body: #"{"queries": ["a"], "topk": "3"}"#, status: 422, mentions: #"field "topk" must be an integer, got a string"#),
    BadRequest(body: #"{"queries": ["a"], "topk": 2.5}"#, status: 422, mentions: #"field "topk" must be an integer"#),
    BadRequest(body: #"{"queries": ["a"], "topk": -1}"#, status: 422, mentions: #"field "topk" must not be negative"#),
    BadRequest(body: #"{"queries": ["a"], "topk": 11}"#, status: 422, mentions: "at most 10 documents per query"),
    BadRequest(body: #"{"queries": ["a"], "return_scores": "yes"}"#, status: 422, mentions: #"field "return_scores" must be true or false, got a string"#),
    BadRequest(body: #"{"queries": ["a"], "return_scores": null}"#, status: 422, mentions: #"field "return_scores" must be true or false, got null"#),
    BadRequest(body: #"{"queries": ["a", "b", "c", "d", "e", "f"]}"#, status: 422, mentions: "at most 5 per request"),
    BadRequest(body: #"{"queries": [""#+String(repeating: "x", count: 5000)+#""]}"#, status: 413, mentions: "larger than this server's limit of 4096 bytes"),
]

@Suite struct BadRequestTests {
    func limits(_ configuration: inout ServerConfiguration) {
        configuration.maxTopK = 10
        configuration.maxQueries = 5
        configuration.maxBodyBytes = 4096
    }

    @Test(arguments: badRequests)
    func refusedWithAJSONErrorAndTheServerKeepsServing(_ bad: BadRequest) async throws {
        try await withServer(engine: RandomEngine(corpus: try exampleCorpus(), seed: 1), configure: limits) { base in
            let reply = try await Client.post(base, json: bad.body)
            #expect(reply.status == bad.status)
            #expect(reply.contentType == "application/json")
            let message = try #require(reply.errorMessage, "error body: \(String(decoding: reply.body, as: UTF8.self))")
            #expect(message.contains(bad.mentions), "got: \(message)")
            let good = try await Client.post(base, json: #"{"queries": ["a"], "topk": 2}"#)
            #expect(good.status == 200)
        }
    }

    @Test func allBadRequestsOnOneServerThenAGoodOne() async throws {
        try await withServer(engine: RandomEngine(corpus: try exampleCorpus(), seed: 1), configure: limits) { base in
            for bad in badRequests {
                let reply = try await Client.post(base, json: bad.body)
                #expect(reply.status == bad.status)
            }
            let good = try await Client.post(base, json: #"{"queries": ["a"]}"#)
            #expect(good.status == 200)
        }
    }

    @Test func oversizedChunkedBodyWithoutContentLengthIsRefusedToo() async throws {
        try await withServer(engine: EmptyEngine(), configure: limits) { base in
            var request = URLRequest(url: base.appendingPathComponent("retrieve"))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            // A body stream has no declared length, so it goes out chunked: the server has
            // to count bytes as they arrive.
            let body = #"{"queries": [""# + String(repeating: "y", count: 20_000) + #""]}"#
            request.httpBodyStream = InputStream(data: Data(body.utf8))
            let reply = try await Client.send(request)
            #expect(reply.status == 413)
            #expect(reply.errorMessage?.contains("limit of 4096 bytes") == true)
            let good = try await Client.post(base, json: #"{"queries": ["a"]}"#)
            #expect(good.status == 200)
        }
    }

    @Test func wrongPathOrMethodGetsAJSONError() async throws {
        try await withServer(engine: EmptyEngine()) { base in
            let missing = try await Client.get(base, "search")
            #expect(missing.status == 404)
            #expect(missing.errorMessage?.contains("use POST /retrieve") == true)
            let get = try await Client.get(base, "retrieve")
            #expect(get.status == 405)
            #expect(get.errorMessage?.contains("use POST /retrieve") == true)
        }
    }

    @Test func engineFailureIsA500NamingTheCause() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try RetrievalLog(path: dir.appendingPathComponent("log.sqlite").path, create: true)
        try await withServer(engine: RecordedEngine(log: log, fingerprint: "nothing recorded")) { base in
            let reply = try await Client.post(base, json: #"{"queries": ["unseen query"]}"#)
            #expect(reply.status == 500)
            #expect(reply.errorMessage?.contains(#"for query "unseen query" with top-k 3"#) == true)
        }
    }

    @Test func impossibleConfigurationsAreRefused() {
        var configuration = ServerConfiguration()
        configuration.defaultTopK = 200
        #expect(throws: ConfigurationError("--default-topk must be between 1 and --max-topk (100), got 200")) {
            try RetrievalServer(engine: EmptyEngine(), configuration: configuration)
        }
    }
}
