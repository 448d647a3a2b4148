import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabEngines
import SearchLabServer

/// `searchlab serve`: a Search-R1-compatible retrieval server over any engine.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an engine over Search-R1's POST /retrieve protocol.",
        discussion: """
            POST /retrieve takes {"queries": [string], "topk": int, "return_scores": bool}: \
            topk missing, null or 0 means --default-topk; return_scores defaults to false. \
            The answer is {"result": [[{"document": {"id", "contents"}, "score"}]]}, or lists \
            of documents without scores when return_scores is false. GET /health reports the \
            engine fingerprint. Bad requests get a 4xx status and {"error": "..."}: 400 for \
            malformed JSON, 422 for wrong fields (empty query list, topk above --max-topk, \
            more than --max-queries queries), 413 for bodies over --max-body-bytes.

            Point Search-R1's retriever.url at the printed address + /retrieve. With \
            --record every answer goes to a SQLite retrieval log; with --replay the server \
            answers from one (strictly, unless --on-miss names a live engine).
            """)

    @OptionGroup(title: "Engine")
    var engineOptions: EngineOptions

    @Option(help: ArgumentHelp("Record every answer in this retrieval log.", valueName: "LOG"))
    var record: String?

    @Option(help: ArgumentHelp("Answer from this retrieval log.", valueName: "LOG"))
    var replay: String?

    @Option(help: ArgumentHelp("With --engine recorded: which recorded engine to replay when the log holds several.", valueName: "FINGERPRINT"))
    var fingerprint: String?

    @Option(help: ArgumentHelp("With --replay: answer misses with this live engine and record them.", valueName: "ENGINE"))
    var onMiss: String?

    @Option(help: "Interface to listen on (loopback by default).")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port: Int = 8000

    @Option(help: "topk used when a request omits it or sends null or 0.")
    var defaultTopk: Int = 3

    @Option(help: "Largest topk a request may ask for.")
    var maxTopk: Int = 100

    @Option(help: "Most queries per request.")
    var maxQueries: Int = 4096

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes: Int = 4 * 1024 * 1024

    @Flag(help: "Log every request on standard error.")
    var verbose = false

    @Flag(help: "Log nothing but critical failures.")
    var quiet = false

    func run() async throws {
        let server: RetrievalServer
        do {
            server = try RetrievalServer(engine: try EngineFactory.make(try engineSpec()), configuration: serverConfiguration())
        } catch {
            Output.error(ServeCommand.describe(error))
            throw ExitCode.failure
        }
        let host = self.host
        let fingerprint = server.engine.fingerprint
        do {
            try await server.run(handleSignals: true) { port in
                Output.write("searchlab serve: listening on http://\(host):\(port) (POST /retrieve, GET /health)\nengine: \(fingerprint)\n")
            }
        } catch {
            Output.error("cannot serve on \(host):\(port): \(error)")
            throw ExitCode.failure
        }
    }

    func engineSpec() throws -> EngineSpec {
        guard let kind = try engineOptions.kind() ?? (replay != nil ? .recorded : nil) else {
            throw SearchLabError("--engine is required (one of \(ServeCommand.kindList)) unless --replay LOG is given")
        }
        var spec = try engineOptions.spec(kind: kind, seed: engineOptions.seed ?? 0)
        spec.recordLog = record
        spec.replayLog = replay
        spec.fingerprint = fingerprint
        spec.onMiss = try onMiss.map { name in
            guard let kind = EngineKind(rawValue: name) else { throw SearchLabError("--on-miss must be one of \(ServeCommand.kindList), got \"\(name)\"") }
            return kind
        }
        return spec
    }

    func serverConfiguration() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.defaultTopK = defaultTopk
        configuration.maxTopK = maxTopk
        configuration.maxQueries = maxQueries
        configuration.maxBodyBytes = maxBodyBytes
        configuration.verbosity = verbose ? .verbose : (quiet ? .quiet : .normal)
        return configuration
    }

    static var kindList: String { EngineKind.allCases.map(\.rawValue).joined(separator: ", ") }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as LocatedError: return error.description
        case let error as SearchLabError: return error.description
        case let error as ConfigurationError: return error.description
        default: return "\(error)"
        }
    }
}
