// A client of any Search-R1-compatible `POST /retrieve` server (the real E5 retriever,
// pyserini BM25, or another `searchlab serve`).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SearchLabCore

/// Sends each batch as one `POST /retrieve` with `return_scores: true`, as Search-R1's
/// rollout loop does, and reads the ranked documents back.
///
/// A server that returns more than `topK` documents for a query is cut to `topK`; one that
/// returns a different number of lists than queries is an error.
public struct HTTPEngine: SearchEngine {
    /// The full endpoint, e.g. `http://127.0.0.1:8000/retrieve`.
    public let url: URL
    /// Seconds to wait for the whole answer.
    public let timeout: TimeInterval

    /// This engine's session: connections to the retriever are reused across batches. Its own,
    /// because Foundation on Linux also applies the session's request timeout (60 s by default)
    /// to each request: a shared session would cut `timeout` to a minute.
    let session: URLSession

    public init(url: URL, timeout: TimeInterval = 30) {
        self.url = url
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        session = URLSession(configuration: configuration)
    }

    /// An engine for `text`, which must be an `http://` or `https://` URL.
    /// - Throws: ``SearchLabError`` for anything else.
    public init(urlText text: String, timeout: TimeInterval = 30) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            throw SearchLabError("--url must be an http:// or https:// address such as http://127.0.0.1:8000/retrieve, got \"\(text)\"")
        }
        self.init(url: url, timeout: timeout)
    }

    /// The remote index is unknown to us, so the URL stands for it.
    public var fingerprint: String {
        EngineFingerprint(engine: "http", parameters: ["url": url.absoluteString]).description
    }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        // topk 0 means "server default" on the wire, which is not what topK 0 means here.
        guard !queries.isEmpty, topK > 0 else { return queries.map { _ in [] } }
        let data = try await post(try SearchR1Wire.requestBody(queries: queries, topK: topK, returnScores: true))
        let lists: [[SearchHit]]
        do {
            lists = try SearchR1Wire.decodeResponse(data)
        } catch let error as SearchLabError {
            throw SearchLabError("http engine: \(url.absoluteString) answered outside Search-R1's schema: \(error.message)")
        }
        guard lists.count == queries.count else {
            throw SearchLabError("http engine: \(url.absoluteString) answered \(lists.count) result lists for \(queries.count) queries")
        }
        return lists.map { Array($0.prefix(topK)) }
    }

    func post(_ body: Data) async throws -> Data {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError where error.code == .timedOut {
            throw SearchLabError("http engine: \(url.absoluteString) did not answer within \(timeout) s")
        } catch {
            throw SearchLabError("http engine: cannot reach \(url.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw SearchLabError("http engine: \(url.absoluteString) did not answer over HTTP")
        }
        guard http.statusCode == 200 else {
            let excerpt = String(decoding: data.prefix(300), as: UTF8.self)
            throw SearchLabError("http engine: \(url.absoluteString) answered HTTP \(http.statusCode): \(excerpt)")
        }
        return data
    }
}
