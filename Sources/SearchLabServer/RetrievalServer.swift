// The HTTP application: routes, body limits, JSON errors, and start/stop.
import Foundation
import Hummingbird
import Logging
import SearchLabCore
import SearchLabEngines

/// A Search-R1-compatible retrieval server over any ``SearchEngine``:
/// `POST /retrieve` and `GET /health`. A Search-R1 training run can point its
/// `retriever.url` at `http://HOST:PORT/retrieve`.
public struct RetrievalServer: Sendable {
    public let engine: any SearchEngine
    public let configuration: ServerConfiguration
    let logger: Logger

    public init(engine: any SearchEngine, configuration: ServerConfiguration) throws {
        try configuration.validate()
        self.engine = engine
        self.configuration = configuration
        self.logger = RetrievalServer.logger(configuration.verbosity)
    }

    /// Runs until the task is cancelled (or, with `handleSignals`, until SIGINT/SIGTERM),
    /// calling `onListening` with the bound port once the socket accepts connections.
    public func run(handleSignals: Bool, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let application = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "searchlab"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        if handleSignals {
            try await application.runService()
        } else {
            try await application.run()
        }
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        if configuration.verbosity == .verbose { router.middlewares.add(LogRequestsMiddleware(.info)) }
        router.middlewares.add(JSONErrorMiddleware())
        let handler = RetrieveHandler(engine: engine, configuration: configuration, logger: logger)
        router.post("retrieve") { request, _ in await handler.respond(to: request) }
        router.get("retrieve") { _, _ in
            JSONResponses.error(.methodNotAllowed, "use POST /retrieve with a JSON body {\"queries\": [...]}")
        }
        router.get("health") { _, _ in
            JSONResponses.json(.ok, ["status": "ok", "engine": engine.fingerprint])
        }
        return router
    }

    static func logger(_ verbosity: ServerConfiguration.Verbosity) -> Logger {
        var logger = Logger(label: "searchlab.serve")
        switch verbosity {
        case .quiet: logger.logLevel = .critical
        case .normal: logger.logLevel = .warning
        case .verbose: logger.logLevel = .debug
        }
        return logger
    }
}

/// Answers `POST /retrieve`.
struct RetrieveHandler: Sendable {
    let engine: any SearchEngine
    let configuration: ServerConfiguration
    let logger: Logger

    func respond(to request: Request) async -> Response {
        do {
            let body = try await BodyReader.collect(request, limit: configuration.maxBodyBytes)
            let parsed = try RetrieveRequest.parse(body, configuration: configuration)
            return await answer(parsed)
        } catch let problem as RequestProblem {
            return JSONResponses.error(problem.status, problem.message)
        } catch {
            return JSONResponses.error(.badRequest, "could not read the request body: \(error)")
        }
    }

    func answer(_ request: RetrieveRequest) async -> Response {
        do {
            let hits = try await engine.search(request.queries, topK: request.topK)
            let body = try SearchR1Wire.responseBody(hits, returnScores: request.returnScores)
            return JSONResponses.body(.ok, body)
        } catch {
            logger.error("engine failed", metadata: ["error": "\(error)"])
            return JSONResponses.error(.internalServerError, "the search engine failed: \(error)")
        }
    }
}

/// Reading a request body without letting a client make the server buffer without bound.
enum BodyReader {
    static func collect(_ request: Request, limit: Int) async throws -> Data {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw RequestProblem(status: .contentTooLarge, message: tooLarge(limit))
        }
        var data = Data()
        for try await chunk in request.body {
            guard data.count + chunk.readableBytes <= limit else {
                throw RequestProblem(status: .contentTooLarge, message: tooLarge(limit))
            }
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }

    static func tooLarge(_ limit: Int) -> String {
        "the request body is larger than this server's limit of \(limit) bytes (--max-body-bytes)"
    }
}

/// JSON responses, errors included: `{"error": "what is wrong"}`.
enum JSONResponses {
    static func body(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        // A dictionary of strings always encodes.
        body(status, (try? CanonicalJSON.encode(object)) ?? Data("{}".utf8))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["error": message])
    }
}

/// Turns the router's own errors (unknown path, wrong method) into JSON error bodies too.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.status == .notFound
                ? "no such endpoint \(request.method) \(request.uri.path); use POST /retrieve or GET /health"
                : (error.body ?? error.status.reasonPhrase)
            return JSONResponses.error(error.status, message)
        }
    }
}
