// Reading and checking a `POST /retrieve` body exactly as Search-R1's `QueryRequest`
// model defines it, with errors that name the field.
import Foundation
import Hummingbird
import SearchLabCore

/// A checked retrieval request.
struct RetrieveRequest: Hashable, Sendable {
    var queries: [String]
    var topK: Int
    var returnScores: Bool
}

/// Why a request was refused: an HTTP status and a message for the JSON error body.
struct RequestProblem: Error, Hashable, Sendable {
    var status: HTTPResponse.Status
    var message: String

    static func invalid(_ message: String) -> RequestProblem {
        RequestProblem(status: .unprocessableContent, message: message)
    }
}

extension RetrieveRequest {
    /// Parses `body` against Search-R1's schema:
    /// `queries` a non-empty list of strings; `topk` an integer, with missing, `null` or `0`
    /// meaning the server default; `return_scores` a boolean, default `false`. Other fields
    /// are ignored, as pydantic ignores them.
    static func parse(_ body: Data, configuration: ServerConfiguration) throws(RequestProblem) -> RetrieveRequest {
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            throw RequestProblem(status: .badRequest, message: "the body is \((error as? SearchLabError)?.message ?? "not valid JSON")")
        }
        guard case .object(let fields) = value else {
            throw .invalid(#"the body must be a JSON object {"queries": [...], "topk": k, "return_scores": bool}, got "# + value.kindDescription)
        }
        let queries = try parseQueries(fields["queries"], limit: configuration.maxQueries)
        let topK = try parseTopK(fields["topk"], configuration: configuration)
        let returnScores = try parseReturnScores(fields["return_scores"])
        return RetrieveRequest(queries: queries, topK: topK, returnScores: returnScores)
    }

    static func parseQueries(_ value: JSONValue?, limit: Int) throws(RequestProblem) -> [String] {
        guard let value else { throw .invalid(#"missing field "queries" (a list of query strings)"#) }
        guard case .array(let items) = value else {
            throw .invalid("field \"queries\" must be a list of strings, got \(value.kindDescription)")
        }
        guard !items.isEmpty else { throw .invalid(#"field "queries" must not be empty"#) }
        guard items.count <= limit else {
            throw .invalid("field \"queries\" has \(items.count) queries; this server accepts at most \(limit) per request")
        }
        var queries: [String] = []
        queries.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .string(let query) = item else {
                throw .invalid("field \"queries\"[\(index)] must be a string, got \(item.kindDescription)")
            }
            queries.append(query)
        }
        return queries
    }

    static func parseTopK(_ value: JSONValue?, configuration: ServerConfiguration) throws(RequestProblem) -> Int {
        let requested: Int64
        switch value {
        case nil, .null?: return configuration.defaultTopK
        case .integer(let i)?: requested = i
        // pydantic's lax mode accepts a float with no fractional part as an int.
        case .number(let d)? where d.rounded() == d && abs(d) < 1e15: requested = Int64(d)
        case let other?: throw .invalid("field \"topk\" must be an integer, got \(other.kindDescription)")
        }
        if requested == 0 { return configuration.defaultTopK }
        guard requested > 0 else { throw .invalid("field \"topk\" must not be negative, got \(requested)") }
        guard requested <= configuration.maxTopK else {
            throw .invalid("field \"topk\" is \(requested); this server returns at most \(configuration.maxTopK) documents per query")
        }
        return Int(requested)
    }

    static func parseReturnScores(_ value: JSONValue?) throws(RequestProblem) -> Bool {
        switch value {
        case nil: return false
        case .bool(let flag)?: return flag
        case let other?: throw .invalid("field \"return_scores\" must be true or false, got \(other.kindDescription)")
        }
    }
}
