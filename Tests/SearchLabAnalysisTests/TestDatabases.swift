// Run databases built from the committed fixtures, in a temporary directory.
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport

struct TestDatabase {
    let dir: URL
    let path: String
    let store: RunStore

    init() throws {
        dir = try Fixtures.temporaryDirectory()
        path = dir.appendingPathComponent("runs.sqlite").path
        store = try RunStore(path: path)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func importFiles(_ relative: [String], format: ImportFormat, run: String, keepGoing: Bool = false,
                     dataset: DatasetAnswers = .init()) throws -> ImportSummary {
        let sources = try relative.map { try ImportSource(path: Fixtures.url($0).path) }
        return try Importer(format: format, dataset: dataset, keepGoing: keepGoing, codeVersion: "test")
            .run(sources, into: store, runName: run)
    }

    /// verl steps 3 and 4 as run `verl`.
    static func verl() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.importFiles(["verl/3.jsonl", "verl/4.jsonl"], format: .verlJSONL, run: "verl")
        return db
    }

    /// Runs `a` (verl step 3) and `b` (the same questions, other samples first).
    static func twoRuns() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.importFiles(["verl/3.jsonl"], format: .verlJSONL, run: "a")
        try db.importFiles(["verl/run-b/3.jsonl"], format: .verlJSONL, run: "b")
        return db
    }
}

/// Replaces the temporary database path in output with `DB`, for exact comparisons.
func scrub(_ text: String, _ db: TestDatabase) -> String {
    text.replacingOccurrences(of: db.path, with: "DB")
}
