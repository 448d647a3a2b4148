// Search-R1's `POST /retrieve` JSON, both directions: what the trainer sends and what a
// retriever answers. Shared by the http engine (client) and SearchLabServer (server).
import Foundation
import SearchLabCore

/// Encoding and decoding of Search-R1's retrieval protocol
/// (`search_r1/search/retrieval_server.py`):
///
/// - request `{"queries": [String], "topk": Int?, "return_scores": Bool}`;
/// - response `{"result": [[{"document": {"id", "contents"}, "score": Double}]]}` with
///   scores, or `{"result": [[{"id", "contents"}]]}` without.
public enum SearchR1Wire {
    /// The body of a retrieval request.
    public static func requestBody(queries: [String], topK: Int?, returnScores: Bool) throws -> Data {
        struct Body: Encodable {
            var queries: [String]
            var topk: Int?
            var return_scores: Bool
        }
        return try CanonicalJSON.encode(Body(queries: queries, topk: topK, return_scores: returnScores))
    }

    /// The body of a retrieval response, one list per query in order.
    public static func responseBody(_ hits: [[SearchHit]], returnScores: Bool) throws -> Data {
        if returnScores {
            struct Scored: Encodable { var result: [[SearchHit]] }
            return try CanonicalJSON.encode(Scored(result: hits))
        }
        struct Plain: Encodable { var result: [[CorpusDocument]] }
        return try CanonicalJSON.encode(Plain(result: hits.map { $0.map(\.document) }))
    }

    /// Reads a retrieval response.
    ///
    /// Accepts each item as `{"document": {…}, "score": x}`, `{"document": {…}}` (online
    /// search servers send no score) or a bare document `{"id", "contents"}`. A missing
    /// score reads as 0; a missing `id` as `""` (online engines have no corpus ids).
    /// - Throws: ``SearchLabError`` saying which part of the response is not in the schema.
    public static func decodeResponse(_ data: Data) throws -> [[SearchHit]] {
        let top = try JSONFields(try JSONValue.parse(data), expected: #"an object {"result": [...]}"#)
        guard case .array(let perQuery)? = top.object["result"] else {
            throw SearchLabError(#"field "result" must be a list (one list of documents per query)"#)
        }
        return try perQuery.enumerated().map { queryIndex, value in
            guard case .array(let items) = value else {
                throw SearchLabError("result[\(queryIndex)] must be a list of documents, got \(value.kindDescription)")
            }
            return try items.enumerated().map { rank, item in
                do {
                    return try hit(from: item)
                } catch let error as SearchLabError {
                    throw SearchLabError("result[\(queryIndex)][\(rank)]: \(error.message)")
                }
            }
        }
    }

    static func hit(from item: JSONValue) throws -> SearchHit {
        let fields = try JSONFields(item, expected: "an object")
        let documentFields = try fields.object("document") ?? fields
        guard let contents = try documentFields.string("contents") else {
            throw SearchLabError(#"missing field "contents" (a string)"#)
        }
        let id = try documentFields.identifier("id") ?? ""
        let score: Double
        switch fields.object["score"] {
        case nil, .null?: score = 0
        case .integer(let i)?: score = Double(i)
        case .number(let d)?: score = d
        case let other?: throw SearchLabError("field \"score\" must be a number, got \(other.kindDescription)")
        }
        return SearchHit(document: CorpusDocument(id: id, contents: contents), score: score)
    }
}
