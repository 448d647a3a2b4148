// SearchLabServer: a Search-R1-compatible `POST /retrieve` server on Hummingbird.

/// Where the retrieval server listens and the limits it enforces on requests.
public struct ServerConfiguration: Sendable {
    /// Interface to bind; loopback unless the user asks otherwise.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free port (the bound one is reported when the server starts).
    public var port = 8000
    /// `topk` used when a request omits it or sends `null` or `0` (Search-R1's `--topk`, default 3).
    public var defaultTopK = 3
    /// Largest `topk` a request may ask for.
    public var maxTopK = 100
    /// Most queries in one request (Search-R1 sends one batch of active rollouts per turn).
    public var maxQueries = 4096
    /// Largest request body, in bytes.
    public var maxBodyBytes = 4 * 1024 * 1024
    /// How much the server logs on standard error.
    public var verbosity = Verbosity.normal

    /// Log levels a user chooses between.
    public enum Verbosity: String, CaseIterable, Sendable {
        /// Nothing but critical failures (tests, benchmarks).
        case quiet
        /// Warnings and engine failures.
        case normal
        /// Every request.
        case verbose
    }

    public init() {}

    /// - Throws: ``ConfigurationError`` when a limit is not positive or the default
    ///   `topk` exceeds the maximum.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ConfigurationError("--port must be between 0 and 65535, got \(port)") }
        guard maxTopK >= 1 else { throw ConfigurationError("--max-topk must be at least 1, got \(maxTopK)") }
        guard (1...maxTopK).contains(defaultTopK) else {
            throw ConfigurationError("--default-topk must be between 1 and --max-topk (\(maxTopK)), got \(defaultTopK)")
        }
        guard maxQueries >= 1 else { throw ConfigurationError("--max-queries must be at least 1, got \(maxQueries)") }
        guard maxBodyBytes >= 1024 else { throw ConfigurationError("--max-body-bytes must be at least 1024, got \(maxBodyBytes)") }
    }
}

/// A server option that cannot work.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
