// Per-trajectory numbers the analysis queries group by, computed once at write time so
// `count` is a plain aggregate over narrow rows.
import SearchLabCore

/// Counts derived from one trajectory's turns (stored as columns of `trajectory`).
public struct TrajectoryStats: Hashable, Sendable {
    public var turnCount: Int
    public var searchActions: Int
    public var invalidActions: Int
    public var repeatedQueries: Int
    /// First turn whose information block contains a golden answer (normalised).
    public var firstHitTurn: Int?
    public var searchesAfterHit: Int
    public var hops: Int?

    public init(_ trajectory: Trajectory) {
        let turns = trajectory.turns
        turnCount = turns.count
        searchActions = turns.reduce(0) { $0 + ($1.action.kind == .search ? 1 : 0) }
        invalidActions = turns.reduce(0) { $0 + ($1.action.kind == .invalid ? 1 : 0) }
        repeatedQueries = Self.repeats(in: turns)
        firstHitTurn = Self.firstHit(turns, goldens: trajectory.question.goldenAnswers)
        if let hit = firstHitTurn {
            searchesAfterHit = turns.reduce(0) { $0 + ($1.index > hit && $1.action.kind == .search ? 1 : 0) }
        } else {
            searchesAfterHit = 0
        }
        hops = Self.hops(dataSource: trajectory.question.dataSource)
    }

    /// Searches whose query, stripped and lowercased, was already asked in this trajectory.
    static func repeats(in turns: [Turn]) -> Int {
        // A trajectory asks a handful of queries: a linear scan beats hashing each one.
        var seen: [String] = []
        var repeated = 0
        for turn in turns where turn.action.kind == .search {
            let query = queryKey(turn.action.content ?? "")
            if seen.contains(query) { repeated += 1 } else { seen.append(query) }
        }
        return repeated
    }

    /// `query.strip().lower()`, on bytes for ASCII queries (Python's ASCII whitespace and
    /// case mapping), through `PythonText` otherwise.
    static func queryKey(_ query: String) -> String {
        var bytes = Array(query.utf8)
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return PythonText.lower(PythonText.strip(query)) }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.count
        return String(decoding: bytes[start...].lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// The first turn whose information block holds a golden answer — Search-R1's
    /// `is_retrieval_correct` test applied per block, without its format gate.
    static func firstHit(_ turns: [Turn], goldens: [String]) -> Int? {
        let goldBytes = goldens.map { normalizeASCII($0) ?? Array(AnswerMatching.normalize($0).utf8) }.filter { !$0.isEmpty }
        guard !goldBytes.isEmpty else { return nil }
        // Each golden's longest word, for the cheap pre-check below.
        let probes = goldBytes.map { gold in Array(gold.split(separator: 0x20).max { $0.count < $1.count } ?? []) }
        for turn in turns {
            guard let observation = turn.observation, observation.kind == .information else { continue }
            // Normalising splits and rejoins the whole block; most blocks hold no golden
            // answer, and a golden's words must each occur in the block's loose form.
            let loose = looseForm(observation.text)
            guard probes.contains(where: { UTF8Search.firstIndex(of: $0, in: loose, from: 0) != nil }) else { continue }
            let block = Self.normalizeASCII(observation.text) ?? Array(AnswerMatching.normalize(observation.text).utf8)
            if goldBytes.contains(where: { UTF8Search.firstIndex(of: $0, in: block, from: 0) != nil }) { return turn.index }
        }
        return nil
    }

    /// `lower(text)` without ASCII punctuation, as UTF-8: the first two steps of
    /// `normalize_answer`. The remaining steps only turn articles into spaces and collapse
    /// whitespace, so every word of the normalised text is a substring of this form — a
    /// necessary condition for a match, checked before the full normalisation.
    static func looseForm(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let isPunctuation = Self.isPunctuation  // once, not a lazy-global check per byte
        for byte in text.utf8 {
            guard byte < 0x80 else {
                let lowered = PythonText.lower(text).unicodeScalars.filter { !($0.isASCII && isPunctuation[Int($0.value)]) }
                return Array(String(String.UnicodeScalarView(lowered)).utf8)
            }
            if isPunctuation[Int(byte)] { continue }
            out.append(byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte)
        }
        return out
    }

    /// `normalize_answer` for ASCII text, on bytes (nil for other text): lowercase, drop
    /// punctuation, articles to spaces at word boundaries (ASCII `\w` = letters, digits,
    /// `_`), split on Python's ASCII whitespace and join with single spaces. Equal to
    /// `AnswerMatching.normalize` (tested), without its per-scalar string building.
    static func normalizeASCII(_ text: String) -> [UInt8]? {
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(text.utf8.count)
        let isPunctuation = Self.isPunctuation
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            if isPunctuation[Int(byte)] { continue }
            cleaned.append(byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte)
        }
        func isWord(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) }
        let articles: [[UInt8]] = [[0x61], [0x61, 0x6E], [0x74, 0x68, 0x65]]
        var out: [UInt8] = []
        out.reserveCapacity(cleaned.count)
        var pendingSpace = false
        func emit(_ b: UInt8) {
            if isSpace(b) { pendingSpace = !out.isEmpty; return }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(b)
        }
        var i = 0
        scan: while i < cleaned.count {
            if i == 0 || !isWord(cleaned[i - 1]) {
                for article in articles where i + article.count <= cleaned.count
                    && cleaned[i..<(i + article.count)].elementsEqual(article) {
                    let end = i + article.count
                    if end == cleaned.count || !isWord(cleaned[end]) {
                        emit(0x20)
                        i = end
                        continue scan
                    }
                }
            }
            emit(cleaned[i])
            i += 1
        }
        return out
    }

    /// Python's `string.punctuation`, by ASCII code.
    static let isPunctuation: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for scalar in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars { table[Int(scalar.value)] = true }
        return table
    }()

    /// `2` for data sources named like `sim-2hop` or `2hop-…`; nil otherwise.
    static func hops(dataSource: String) -> Int? {
        let bytes = Array(dataSource.utf8)
        if !bytes.contains(where: { $0 >= 0x80 }) {
            // ASCII: one byte per character, so the same search on bytes.
            guard let at = UTF8Search.firstIndex(of: Array("hop".utf8), in: bytes, from: 0) else { return nil }
            let start = bytes[..<at].lastIndex { !($0 >= 0x30 && $0 <= 0x39) }.map { $0 + 1 } ?? 0
            return start == at ? nil : Int(String(decoding: bytes[start..<at], as: UTF8.self))
        }
        guard let range = dataSource.range(of: "hop") else { return nil }
        let digits = dataSource[..<range.lowerBound].reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }
}
