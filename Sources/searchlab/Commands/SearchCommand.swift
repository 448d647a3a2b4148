import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabEngines

/// `searchlab search`: query an engine (a BM25 index by default).
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search a BM25 index built by `searchlab index`, or any other engine.",
        discussion: """
            The engine is bm25 unless --engine names another; it searches --index, or the \
            world's index with --world. BM25 scores with Lucene's BM25 (idf ln(1 + (N − n + 0.5)/(n + 0.5)), tf part \
            tf/(tf + k1·(1 − b + b·dl/avgdl)), exact lengths) and ranks by score, ties by \
            document id (byte order). Only documents matching a query term are returned.

            Queries come from the arguments or, with --queries, from JSON lines \
            ({"query": "..."} or a bare JSON string). --format json writes one line per \
            query: {"query", "result": [{"document": {"id", "contents"}, "score"}]}, the \
            shape of Search-R1's /retrieve results; --format ids writes the same without the \
            passages ({"query", "result": [{"id", "score"}]}), for evaluation runs; text \
            prints rank, id, score and title. --topk defaults to 3.
            """)

    @OptionGroup(title: "Engine")
    var engineOptions: EngineOptions

    @OptionGroup
    var topK: TopKOption

    @Option(help: ArgumentHelp("JSON-lines file of queries ({\"query\": ...} or strings); - for standard input.", valueName: "FILE"))
    var queries: String?

    @Option(help: "Output: text, json or ids (default: text for argument queries, json with --queries).")
    var format: OutputFormat?

    @Argument(help: "Query text (each argument is one query).")
    var query: [String] = []

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json, ids }

    func validate() throws {
        guard (queries == nil) != query.isEmpty else {
            throw ValidationError("give queries as arguments or with --queries FILE (not both)")
        }
    }

    func run() async throws {
        try await reportingErrorsAsync {
            let texts = try queries.map(Self.readQueries) ?? query
            let kind = try engineOptions.kind() ?? .bm25
            let engine = try EngineFactory.make(try engineOptions.spec(kind: kind, seed: engineOptions.seed ?? 0))
            let format = format ?? (queries == nil ? .text : .json)
            let results = try await engine.search(texts, topK: topK.topk ?? 3)
            var lines: [String] = []
            lines.reserveCapacity(texts.count)
            for (text, hits) in zip(texts, results) {
                switch format {
                case .json: lines.append(try CanonicalJSON.string(SearchResultLine(query: text, result: hits)))
                case .ids:
                    let ranked = hits.map { RankedID(id: $0.document.id, score: $0.score) }
                    lines.append(try CanonicalJSON.string(RankedIDsLine(query: text, result: ranked)))
                case .text: lines.append(Self.textBlock(text, hits))
                }
            }
            Output.writeLines(lines)
        }
    }

    static func readQueries(_ path: String) throws -> [String] {
        try LineInput(path: path).mapJSONLines(keepGoing: false) { value in
            if case .string(let text) = value { return text }
            let fields = try JSONFields(value, expected: #"a query: {"query": "..."} or a JSON string"#)
            guard let text = try fields.string("query") else { throw SearchLabError(#"missing field "query" (a string)"#) }
            return text
        }.results
    }

    static func textBlock(_ query: String, _ hits: [SearchHit]) -> String {
        var out = "query: \(query)"
        if hits.isEmpty { out += "\n  (no matching documents)" }
        for (i, hit) in hits.enumerated() {
            out += "\n  \(i + 1)\t\(hit.document.id)\t\(String(format: "%.6f", hit.score))\t\(hit.document.title)"
        }
        return out
    }
}

/// One line of `searchlab search --format ids`.
struct RankedIDsLine: Encodable {
    var query: String
    var result: [RankedID]
}

struct RankedID: Encodable {
    var id: String
    var score: Double
}

/// One line of `searchlab search --format json`.
struct SearchResultLine: Encodable {
    var query: String
    var result: [SearchHit]
}
