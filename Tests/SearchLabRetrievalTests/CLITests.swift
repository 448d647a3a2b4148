import Foundation
import SearchLabTestSupport
import Testing

/// `searchlab index` and `searchlab search` end to end, through the built binary.
struct RetrievalCLITests {
    @Test func indexAndSearchTheSearchR1Sample() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let index = directory.appendingPathComponent("sample.index").path
        let built = try runSearchlab(["index", "--corpus", Fixtures.url("search-r1/example-corpus.jsonl").path, "--out", index])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.stderr.contains("indexed 10 documents"))

        let text = try runSearchlab(["search", "--index", index, "--topk", "2", "Evan Morris lobbyist in America"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.first == "query: Evan Morris lobbyist in America")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("  1\t0\t"))
        #expect(lines[1].hasSuffix("\t\"Evan Morris\""))
        #expect(lines[2].hasPrefix("  2\t1\t"))

        let queries = directory.appendingPathComponent("queries.jsonl")
        try "{\"query\": \"Horatio Hale ethnologist\"}\n\"Dibba fort\"\n".write(to: queries, atomically: true, encoding: .utf8)
        let batch = try runSearchlab(["search", "--index", index, "--queries", queries.path, "--topk", "1"])
        #expect(batch.status == 0, "\(batch.stderr)")
        let results = batch.stdout.split(separator: "\n").map {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(results.count == 2)
        let first = try #require(results[0]?["result"] as? [[String: Any]])
        #expect((first[0]["document"] as? [String: Any])?["id"] as? String == "1")
        #expect(first[0]["score"] is Double)
        #expect(results[1]?["query"] as? String == "Dibba fort")
    }

    @Test(arguments: [
        ("bad-not-json.jsonl", ":2: not valid JSON"),
        ("bad-missing-contents.jsonl", ":3: missing field \"contents\""),
        ("bad-missing-id.jsonl", ":1: missing field \"id\""),
        ("bad-duplicate-id.jsonl", ":4: duplicate id \"b\" (first seen on line 2)"),
    ])
    func badCorpusStopsWithoutWriting(_ file: String, _ expected: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = Fixtures.url("retrieval/\(file)").path
        // A fresh output is never created...
        let fresh = directory.appendingPathComponent("fresh.index").path
        let result = try runSearchlab(["index", "--corpus", corpus, "--out", fresh])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: \(corpus)\(expected)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        // ...and an existing index survives untouched.
        let existing = directory.appendingPathComponent("existing.index").path
        let good = try runSearchlab(["index", "--corpus", Fixtures.url("retrieval/small-corpus.jsonl").path, "--out", existing])
        #expect(good.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: existing))
        #expect(try runSearchlab(["index", "--corpus", corpus, "--out", existing]).status != 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["existing.index"])
    }

    @Test func damagedIndexIsRefusedByTheCLI() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let index = directory.appendingPathComponent("small.index")
        #expect(try runSearchlab(["index", "--corpus", Fixtures.url("retrieval/small-corpus.jsonl").path, "--out", index.path]).status == 0)
        var bytes = try Data(contentsOf: index)
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: index)
        let result = try runSearchlab(["search", "--index", index.path, "paris"])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: \(index.path): section contentBytes is corrupted"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
