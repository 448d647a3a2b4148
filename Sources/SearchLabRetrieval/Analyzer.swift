// The analyzer: text → index terms. Its default reproduces `bm25s.tokenize` exactly:
// Python's `text.lower()`, then `re.findall(r"(?u)\b\w\w+\b")`, then the English stop list.
import SearchLabCore

/// How text becomes index terms. Stored in every index, so queries are analysed the same way.
///
/// Steps, in bm25s's order: lowercase (Python `str.lower()`, full Unicode mapping with final
/// sigma) → tokens = maximal runs of Python `re` word characters (`str.isalnum()` or `_`;
/// combining marks are *not* word characters) at least two code points long → drop stop
/// words (compared before stemming, as bm25s does) → optional Porter stemming.
public struct AnalyzerSettings: Codable, Hashable, Sendable {
    /// Which stop words are removed.
    public enum Stopwords: String, Codable, CaseIterable, Sendable {
        /// Keep every token.
        case none
        /// bm25s's `stopwords="english"` list (= Lucene's classic English stop set, 33 words).
        case en
    }

    /// Which stemmer runs after stop-word removal.
    public enum Stemmer: String, Codable, CaseIterable, Sendable {
        case none
        /// Porter (1980) as in Porter's reference implementation (see ``PorterStemmer``).
        case porter
    }

    /// Lowercase before tokenising (bm25s `lower=True`).
    public var lowercase: Bool
    public var stopwords: Stopwords
    public var stemmer: Stemmer

    /// bm25s's defaults: `bm25s.tokenize(texts)` = lowercase, `\w\w+`, `stopwords="english"`,
    /// no stemmer.
    public static let bm25sDefault = AnalyzerSettings(lowercase: true, stopwords: .en, stemmer: .none)

    public init(lowercase: Bool = true, stopwords: Stopwords = .en, stemmer: Stemmer = .none) {
        self.lowercase = lowercase
        self.stopwords = stopwords
        self.stemmer = stemmer
    }

    /// A short stable name for fingerprints and messages, e.g. `lower+w2+stop:en+stem:none`.
    public var summary: String {
        "\(lowercase ? "lower" : "case")+w2+stop:\(stopwords.rawValue)+stem:\(stemmer.rawValue)"
    }
}

/// Turns text into terms according to ``AnalyzerSettings``. A value type, safe to share.
public struct Analyzer: Sendable {
    public let settings: AnalyzerSettings
    private let stopwords: Set<String>

    public init(_ settings: AnalyzerSettings) {
        self.settings = settings
        self.stopwords = settings.stopwords == .en ? EnglishStopwords.set : []
    }

    /// The terms of `text`, in order, repeats kept (a query's repeated term counts each time,
    /// as in bm25s, which sums one score row per query token).
    public func terms(_ text: String) -> [String] {
        var out: [String] = []
        forEachToken(text) { token in
            if let term = normalize(String(decoding: token, as: UTF8.self)) { out.append(term) }
        }
        return out
    }

    /// The raw tokens of `text` (lowercased runs of word characters, at least two code points,
    /// before stop words and stemming), as UTF-8 bytes valid only during the call.
    public func forEachToken(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        let isASCII = text.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
        if isASCII {
            text.withUTF8 { scanASCII($0, body) }
        } else {
            scanUnicode(settings.lowercase ? PythonText.lower(text) : text, body)
        }
    }

    /// A raw token's index term: `nil` for a stop word, else the token, stemmed if configured.
    public func normalize(_ token: String) -> String? {
        if !stopwords.isEmpty, stopwords.contains(token) { return nil }
        return settings.stemmer == .porter ? PorterStemmer.stem(token) : token
    }

    // ASCII fast path: lowercasing and word characters are byte-local.
    private func scanASCII(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var lowered = [UInt8](text)
        lowered.withUnsafeMutableBufferPointer { bytes in
            let count = bytes.count
            var i = 0
            while i < count {
                guard Analyzer.isASCIIWord(bytes[i]) else { i += 1; continue }
                let start = i
                while i < count, Analyzer.isASCIIWord(bytes[i]) {
                    if settings.lowercase, bytes[i] >= 0x41, bytes[i] <= 0x5A { bytes[i] += 32 }
                    i += 1
                }
                if i - start >= 2 { body(UnsafeBufferPointer(rebasing: bytes[start..<i])) }
            }
        }
    }

    // General path on already-lowercased text: runs of Python word characters.
    private func scanUnicode(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var token = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length >= 2 {
                var word = String(token)
                word.withUTF8 { body($0) }
            }
            token = String.UnicodeScalarView()
            length = 0
        }
        for scalar in text.unicodeScalars {
            if PythonText.isWordCharacter(scalar) {
                token.append(scalar)
                length += 1
            } else if length > 0 {
                flush()
            }
        }
        flush()
    }

    @inline(__always)
    static func isASCIIWord(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
    }
}

/// The English stop list of bm25s (`bm25s.stopwords.STOPWORDS_EN`, the default of
/// `bm25s.tokenize`), which is also Lucene's classic `ENGLISH_STOP_WORDS_SET`.
public enum EnglishStopwords {
    /// The 33 words, sorted.
    public static let words: [String] = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
        "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
        "these", "they", "this", "to", "was", "will", "with",
    ]
    static let set = Set(words)
}
