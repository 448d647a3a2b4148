import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabRetrieval

/// `searchlab index`: build a BM25 index from a Search-R1-format corpus.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build a BM25 index from a Search-R1-format corpus.",
        discussion: """
            Reads JSON lines {"id": "...", "contents": "\\"Title\\"\\ntext"} and writes a \
            versioned, checksummed, memory-mappable index holding the postings and the \
            passages themselves. The analyzer defaults to bm25s's default tokenisation \
            (Python lower(), tokens \\w\\w+, its 33-word English stop list); --stopwords none \
            keeps every token, --stem porter adds Porter stemming. A corpus line that is not \
            JSON, lacks "id" or "contents", or repeats an id stops the build with \
            error: FILE:LINE and no index is written.
            """)

    @Option(help: ArgumentHelp("Search-R1-format corpus (JSON lines).", valueName: "FILE"))
    var corpus: String

    @Option(help: ArgumentHelp("Index file to write (replaced atomically).", valueName: "INDEX"))
    var out: String

    @Option(help: "BM25 k1 recorded as the index default (pyserini: 0.9).")
    var k1: Double = 0.9

    @Option(help: "BM25 b recorded as the index default (pyserini: 0.4).")
    var b: Double = 0.4

    @Option(help: "Stop words: en (bm25s's default English list) or none.")
    var stopwords: AnalyzerSettings.Stopwords = .en

    @Option(help: "Stemmer: none or porter.")
    var stem: AnalyzerSettings.Stemmer = .none

    @Option(help: "Worker threads (default: all cores). The file does not depend on it.")
    var threads: Int?

    @Flag(help: "No progress display (by default: one updating line on a terminal; the summary line always).")
    var quiet = false

    func validate() throws {
        guard k1 >= 0, k1.isFinite else { throw ValidationError("--k1 must be a finite number ≥ 0") }
        guard (0...1).contains(b) else { throw ValidationError("--b must be between 0 and 1") }
        guard (threads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let options = IndexBuildOptions(
                analyzer: AnalyzerSettings(lowercase: true, stopwords: stopwords, stemmer: stem),
                k1: k1, b: b, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let started = Date()
            let progress = ProgressLine("index", total: 0, unit: "passages", quiet: quiet)
            let metadata = try IndexBuilder.build(corpusPath: corpus, outputPath: out, options: options) { done, total in
                progress.setTotal(total)
                progress.update(done, status: done < total ? "analysing" : "merging postings and writing")
            }
            progress.finish()
            let seconds = Date().timeIntervalSince(started)
            FileHandle.standardError.write(Data("""
                indexed \(metadata.documentCount) documents, \(metadata.termCount) terms, \
                \(metadata.postingCount) postings in \(String(format: "%.2f", seconds)) s → \(out)\n
                """.utf8))
        }
    }
}

extension AnalyzerSettings.Stopwords: ExpressibleByArgument {}
extension AnalyzerSettings.Stemmer: ExpressibleByArgument {}
