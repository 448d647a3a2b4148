import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SearchLabCore
import SearchLabEngines
import SearchLabServer
import SearchLabTestSupport
import Testing

/// Runs `body` against a server started in-process on a free loopback port, then stops it.
func withServer<T: Sendable>(engine: any SearchEngine, configure: (inout ServerConfiguration) -> Void = { _ in },
                             _ body: @Sendable (URL) async throws -> T) async throws -> T {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.verbosity = .quiet
    configure(&configuration)
    let server = try RetrievalServer(engine: engine, configuration: configuration)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let running = Task { try await server.run(handleSignals: false) { continuation.yield($0) } }
    defer { running.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else { throw SearchLabError("the server did not report a port") }
    let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
    running.cancel()
    _ = await running.result
    return result
}

/// A plain HTTP exchange with the server (URLSession, a real client over TCP).
struct Exchange: Sendable {
    var status: Int
    var contentType: String?
    var body: Data

    /// The body parsed as JSON.
    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    /// `error` of a JSON error body.
    var errorMessage: String? { (json as? [String: Any])?["error"] as? String }
}

enum Client {
    /// These tests check what the server answers, not how fast (bench/serve measures that). In
    /// the whole suite, long synchronous tests (training, evaluation) can hold every thread of
    /// Swift's cooperative pool — one per core, so two here — for minutes, and the in-process
    /// server's handlers wait for one; Foundation's 60-second default then failed correct
    /// exchanges with a timeout. A starved exchange still completes once a thread frees up.
    static let timeout: TimeInterval = 1_800

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        return URLSession(configuration: configuration)
    }()

    static func post(_ base: URL, _ path: String = "retrieve", body: Data) async throws -> Exchange {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        return try await send(request)
    }

    static func post(_ base: URL, json: String) async throws -> Exchange {
        try await post(base, body: Data(json.utf8))
    }

    static func get(_ base: URL, _ path: String) async throws -> Exchange {
        try await send(URLRequest(url: base.appendingPathComponent(path)))
    }

    static func send(_ request: URLRequest) async throws -> Exchange {
        var request = request
        request.timeoutInterval = timeout
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Exchange(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data)
    }
}

func exampleCorpus() throws -> CorpusFile {
    try CorpusFile(path: Fixtures.url("search-r1/example-corpus.jsonl").path)
}
