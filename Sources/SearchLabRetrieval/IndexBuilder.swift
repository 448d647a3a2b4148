// Building a BM25 index from a Search-R1-format corpus: parse and analyse chunks of lines in
// parallel, then merge them into one sorted vocabulary and doc-ordered postings. Every step
// is keyed by line order and sorted term bytes, so the file is byte-identical whatever the
// thread count.
import Foundation
import SearchLabCore

/// How to build an index.
public struct IndexBuildOptions: Sendable {
    public var analyzer: AnalyzerSettings
    /// BM25 parameters recorded as the index's defaults (pyserini's 0.9 / 0.4).
    public var k1: Double
    public var b: Double
    /// Worker threads for parsing, analysis and posting construction.
    public var threads: Int

    public init(analyzer: AnalyzerSettings = .bm25sDefault, k1: Double = 0.9, b: Double = 0.4,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.analyzer = analyzer
        self.k1 = k1
        self.b = b
        self.threads = max(1, threads)
    }
}

/// Builds index files.
public enum IndexBuilder {
    /// Reads the corpus at `corpusPath`, builds the index, and writes it to `outputPath`
    /// atomically (a temporary file renamed into place).
    /// - Throws: ``LocatedError`` (`FILE:LINE: …`) for a bad corpus line or duplicate id —
    ///   nothing is written then; ``SearchLabError`` for I/O failures.
    /// - Parameter progress: (passages analysed, passages in the corpus), from worker threads,
    ///   as each chunk of passages is done.
    @discardableResult
    public static func build(corpusPath: String, outputPath: String, options: IndexBuildOptions,
                             progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> IndexMetadata {
        let corpus = try CorpusFile(path: corpusPath)
        guard !corpus.lines.isEmpty else {
            throw LocatedError(file: corpusPath, line: nil, message: "the corpus has no documents (expected JSON lines {\"id\", \"contents\"})")
        }
        let built = try build(corpus, options: options, progress: progress)
        try IndexWriter.write(built, to: outputPath)
        return built.metadata
    }

    static func build(_ corpus: CorpusFile, options: IndexBuildOptions,
                      progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> BuiltIndex {
        let analyzer = Analyzer(options.analyzer)
        let chunkCount = min(corpus.lines.count, options.threads * 8)
        let bounds = (0...chunkCount).map { $0 * corpus.lines.count / chunkCount }
        let analysed = AnalysedCount()
        // Job 0 hashes the corpus file while the others analyse chunks.
        let jobs = try Parallel.map(chunkCount + 1, threads: options.threads) { job -> ChunkJob in
            if job == 0 { return .digest(CanonicalJSON.sha256Hex(corpus.data)) }
            let chunk = try ChunkPostings(corpus, lines: bounds[job - 1]..<bounds[job], analyzer: analyzer)
            progress(analysed.add(bounds[job] - bounds[job - 1]), corpus.lines.count)
            return .chunk(chunk)
        }
        var digest = ""
        var chunks: [ChunkPostings] = []
        for job in jobs {
            switch job {
            case .digest(let hex): digest = hex
            case .chunk(let chunk): chunks.append(chunk)
            }
        }
        let ids = try IdentifierTable(chunks.flatMap(\.ids), lines: chunks.flatMap(\.lineNumbers), file: corpus.name)
        let vocabulary = Vocabulary(merging: chunks)
        let postings = try PostingLists(chunks, vocabulary: vocabulary, threads: options.threads)
        let lengths = chunks.flatMap(\.lengths)
        let metadata = IndexMetadata(
            analyzer: options.analyzer, k1: options.k1, b: options.b,
            documentCount: lengths.count, termCount: vocabulary.terms.count,
            postingCount: postings.documents.count, tokenCount: lengths.reduce(0) { $0 + Int($1) },
            corpus: .init(name: URL(fileURLWithPath: corpus.name).lastPathComponent, bytes: corpus.data.count, sha256: digest))
        return BuiltIndex(metadata: metadata, vocabulary: vocabulary, postings: postings, lengths: lengths,
                          ids: ids, contents: chunks.flatMap(\.contents))
    }

    /// Passages analysed so far, shared by the workers.
    private final class AnalysedCount: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add(_ n: Int) -> Int { lock.lock(); defer { lock.unlock() }; count += n; return count }
    }

    private enum ChunkJob {
        case digest(String)
        case chunk(ChunkPostings)
    }
}

/// Everything an index file holds, in memory.
struct BuiltIndex {
    var metadata: IndexMetadata
    var vocabulary: Vocabulary
    var postings: PostingLists
    var lengths: [UInt32]
    var ids: IdentifierTable
    var contents: [String]
}

/// One chunk of consecutive corpus lines, parsed and analysed with a chunk-local vocabulary.
struct ChunkPostings {
    var ids: [String] = []
    var contents: [String] = []
    var lineNumbers: [Int] = []
    /// Local term id by term.
    var vocabulary: [String: UInt32] = [:]
    /// Per document: `termStarts[d] ..< termStarts[d+1]` into `terms` / `frequencies`.
    var termStarts: [Int] = [0]
    var terms: [UInt32] = []
    var frequencies: [UInt32] = []
    var lengths: [UInt32] = []

    init(_ corpus: CorpusFile, lines: Range<Int>, analyzer: Analyzer) throws {
        // Raw tokens are interned by bytes; each distinct one is normalised (stop word,
        // stem) once and mapped to its term, or to -1 when it is dropped.
        var surfaces = TermTable()
        var surfaceTerm: [Int32] = []
        var counts: [UInt32] = []
        var seen: [UInt32] = []
        for index in lines {
            let document = try corpus.document(at: index)
            ids.append(document.id)
            contents.append(document.contents)
            lineNumbers.append(corpus.lines[index].number)
            var length: UInt32 = 0
            analyzer.forEachToken(document.contents) { token in
                let (surface, isNew) = surfaces.intern(token)
                if isNew { surfaceTerm.append(termID(analyzer.normalize(surfaces.string(surface)), &counts)) }
                let id = surfaceTerm[surface]
                guard id >= 0 else { return }
                if counts[Int(id)] == 0 { seen.append(UInt32(id)) }
                counts[Int(id)] += 1
                length += 1
            }
            for id in seen {
                terms.append(id)
                frequencies.append(counts[Int(id)])
                counts[Int(id)] = 0
            }
            seen.removeAll(keepingCapacity: true)
            termStarts.append(terms.count)
            lengths.append(length)
        }
    }

    /// The local id of `term` (new terms get the next id), or -1 for a dropped token.
    private mutating func termID(_ term: String?, _ counts: inout [UInt32]) -> Int32 {
        guard let term else { return -1 }
        if let known = vocabulary[term] { return Int32(known) }
        let id = UInt32(vocabulary.count)
        vocabulary[term] = id
        counts.append(0)
        return Int32(id)
    }
}

/// The merged vocabulary: terms sorted by UTF-8 bytes, and each chunk's local → global map.
struct Vocabulary {
    var terms: [String]
    var localToGlobal: [[UInt32]]

    init(merging chunks: [ChunkPostings]) {
        var union = Set<String>()
        for chunk in chunks { union.formUnion(chunk.vocabulary.keys) }
        terms = union.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var global: [String: UInt32] = [:]
        global.reserveCapacity(terms.count)
        for (i, term) in terms.enumerated() { global[term] = UInt32(i) }
        localToGlobal = chunks.map { chunk in
            var map = [UInt32](repeating: 0, count: chunk.vocabulary.count)
            for (term, local) in chunk.vocabulary { map[Int(local)] = global[term]! }
            return map
        }
    }
}

/// Postings of every term, documents ascending, as flat arrays.
struct PostingLists {
    /// `offsets[t] ..< offsets[t+1]` are term `t`'s postings.
    var offsets: [UInt64]
    var documents: [UInt32]
    var frequencies: [UInt32]

    init(_ chunks: [ChunkPostings], vocabulary: Vocabulary, threads: Int) throws {
        let termCount = vocabulary.terms.count
        // Per chunk, how many postings each term gets (chunks are counted in parallel).
        let perChunk = try Parallel.map(chunks.count, threads: threads) { c -> [UInt32] in
            var df = [UInt32](repeating: 0, count: termCount)
            let map = vocabulary.localToGlobal[c]
            for local in chunks[c].terms { df[Int(map[Int(local)])] += 1 }
            return df
        }
        offsets = [UInt64](repeating: 0, count: termCount + 1)
        // cursors[c][t]: where chunk c writes its first posting of term t.
        var cursors = perChunk.map { _ in [Int](repeating: 0, count: termCount) }
        var total = 0
        for t in 0..<termCount {
            offsets[t] = UInt64(total)
            for c in 0..<chunks.count {
                cursors[c][t] = total
                total += Int(perChunk[c][t])
            }
        }
        offsets[termCount] = UInt64(total)
        guard chunks.reduce(0, { $0 + $1.lengths.count }) < Int(UInt32.max) else {
            throw SearchLabError("the corpus has too many documents for this index format (at most 2^32 − 1)")
        }
        var documents = [UInt32](repeating: 0, count: total)
        var frequencies = [UInt32](repeating: 0, count: total)
        var firstDocument = 0
        let bases = chunks.map { chunk in defer { firstDocument += chunk.lengths.count }; return firstDocument }
        try documents.withUnsafeMutableBufferPointer { docs in
            try frequencies.withUnsafeMutableBufferPointer { freqs in
                let shared = UnsafeSendable((docs, freqs))
                _ = try Parallel.map(chunks.count, threads: threads) { c in
                    let (docs, freqs) = shared.value
                    let chunk = chunks[c], map = vocabulary.localToGlobal[c]
                    var cursor = cursors[c]
                    for d in 0..<chunk.lengths.count {
                        for i in chunk.termStarts[d]..<chunk.termStarts[d + 1] {
                            let t = Int(map[Int(chunk.terms[i])])
                            docs[cursor[t]] = UInt32(bases[c] + d)
                            freqs[cursor[t]] = chunk.frequencies[i]
                            cursor[t] += 1
                        }
                    }
                }
            }
        }
        self.documents = documents
        self.frequencies = frequencies
    }
}

/// Document ids: their order for tie-breaking, and the duplicate check.
struct IdentifierTable {
    var ids: [String]
    /// `ranks[d]`: position of document `d` when ids are sorted by UTF-8 bytes.
    var ranks: [UInt32]

    /// - Throws: ``LocatedError`` at the earliest line that repeats an earlier line's id.
    init(_ ids: [String], lines: [Int], file: String) throws {
        // Ids compare by UTF-8 bytes (code points), as Python compares them; equal ids keep
        // corpus order, so each run of equal ids starts with the first occurrence.
        let order = ids.indices.sorted { a, b in
            let (x, y) = (ids[a].utf8, ids[b].utf8)
            if x.elementsEqual(y) { return a < b }
            return x.lexicographicallyPrecedes(y)
        }
        var ranks = [UInt32](repeating: 0, count: ids.count)
        var duplicate: (line: Int, first: Int, id: String)?
        var runStart = 0
        for (rank, d) in order.enumerated() {
            ranks[d] = UInt32(rank)
            if rank > 0, ids[order[rank - 1]].utf8.elementsEqual(ids[d].utf8) {
                let first = order[runStart]
                if rank == runStart + 1, lines[d] < (duplicate?.line ?? .max) {
                    duplicate = (lines[d], lines[first], ids[d])
                }
            } else {
                runStart = rank
            }
        }
        if let duplicate {
            throw LocatedError(file: file, line: duplicate.line,
                               message: "duplicate id \"\(duplicate.id)\" (first seen on line \(duplicate.first))")
        }
        self.ids = ids
        self.ranks = ranks
    }
}
