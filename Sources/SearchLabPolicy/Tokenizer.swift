// A deterministic word-level tokenizer with the Search-R1 tags as single tokens and a
// byte fallback, so decode(encode(x)) == x for every string.

/// Word-level vocabulary: special tokens, then the 256 byte tokens `<0xNN>`, then the
/// most frequent corpus pieces.
///
/// Text is split into pieces (special tags first, then ` ?word`, ` ?symbol`, or one
/// whitespace character, where a word is a run of letters and digits); a piece in the
/// vocabulary is one token, any other piece is spelled as its UTF-8 bytes. Saved as a
/// Hugging Face `tokenizers` WordLevel `tokenizer.json` (see docs/policy.md for what the
/// Python side reproduces).
public struct Tokenizer: Sendable, Hashable {
    /// Special tokens, ids 0..<count: end of text, unknown (required by WordLevel, never
    /// produced), ChatML markers and the Search-R1 tags.
    public static let specialTokens = [
        "<|endoftext|>", "<unk>", "<|im_start|>", "<|im_end|>",
        "<think>", "</think>", "<search>", "</search>",
        "<information>", "</information>", "<answer>", "</answer>",
    ]

    /// Token strings by id.
    public let tokens: [String]
    /// Ids of the special tokens, in ``specialTokens`` order.
    public let specials: [String]
    let ids: [String: Int]
    /// Id of the byte token `<0x00>`; byte `x` is `byteBase + x`.
    public let byteBase: Int

    /// Number of token ids.
    public var vocabSize: Int { tokens.count }
    /// The end-of-text id.
    public var endOfText: Int { ids["<|endoftext|>"]! }

    init(tokens: [String], specials: [String]) throws(PolicyError) {
        self.tokens = tokens
        self.specials = specials
        var ids: [String: Int] = [:]
        for (id, token) in tokens.enumerated() {
            guard ids.updateValue(id, forKey: token) == nil else { throw PolicyError("tokenizer: duplicate token \(token)") }
        }
        self.ids = ids
        guard let base = ids["<0x00>"], (0..<256).allSatisfy({ ids[Self.byteToken(UInt8($0))] == base + $0 }) else {
            throw PolicyError("tokenizer: the 256 byte tokens <0x00>…<0xFF> must be present and consecutive")
        }
        guard specials.allSatisfy({ ids[$0] != nil }) else { throw PolicyError("tokenizer: a special token has no id") }
        self.byteBase = base
    }

    static func byteToken(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (byte < 16 ? "0" + hex : hex) + ">"
    }

    /// Builds the vocabulary from `corpus`: pieces seen at least `minCount` times, most
    /// frequent first (ties by UTF-8 byte order), until `vocabSize` ids are used.
    public static func build(corpus: [String], vocabSize: Int, minCount: Int = 2) throws(PolicyError) -> Tokenizer {
        let fixed = specialTokens + (0...255).map { byteToken(UInt8($0)) }
        guard vocabSize >= fixed.count else {
            throw PolicyError("tokenizer: vocabSize \(vocabSize) is below the \(fixed.count) special and byte tokens")
        }
        var counts: [String: Int] = [:]
        for text in corpus {
            for piece in Pretokenizer.pieces(text, specials: specialTokens) where !piece.isSpecial && piece.text.utf8.count > 1 {
                counts[piece.text, default: 0] += 1
            }
        }
        let ranked = counts.filter { $0.value >= minCount }.sorted {
            $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8))
        }
        let words = ranked.prefix(vocabSize - fixed.count).map(\.key)
        return try Tokenizer(tokens: fixed + words, specials: specialTokens)
    }

    /// Token ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        for piece in Pretokenizer.pieces(text, specials: specials) {
            if let id = ids[piece.text], piece.isSpecial || piece.text.utf8.count > 1 {
                out.append(id)
            } else {
                out += piece.text.utf8.map { byteBase + Int($0) }
            }
        }
        return out
    }

    /// The UTF-8 bytes token `id` stands for.
    public func bytes(of id: Int) -> [UInt8] {
        precondition(id >= 0 && id < tokens.count, "token id \(id) outside the vocabulary")
        if id >= byteBase && id < byteBase + 256 { return [UInt8(id - byteBase)] }
        return Array(tokens[id].utf8)
    }

    /// The text of `ids` (invalid UTF-8 from stray byte tokens becomes U+FFFD).
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids { bytes += self.bytes(of: id) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id of a token string, if it is in the vocabulary.
    public func id(of token: String) -> Int? { ids[token] }
}

/// Splits text into the pieces the vocabulary is made of.
enum Pretokenizer {
    struct Piece: Hashable {
        var text: String
        var isSpecial: Bool
    }

    /// The same split as a Python regex `<special>| ?[\p{L}\p{N}]+| ?[^\s\p{L}\p{N}]|\s`.
    static let hfPattern = #" ?[\p{L}\p{N}]+| ?[^\s\p{L}\p{N}]|\s"#

    static func isWord(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil
    }

    static func pieces(_ text: String, specials: [String]) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        let specialScalars = specials.map { Array($0.unicodeScalars) }
        let starts = Set(specialScalars.compactMap(\.first))
        func special(at i: Int) -> Int? {
            guard starts.contains(scalars[i]) else { return nil }
            return specialScalars.firstIndex { s in i + s.count <= scalars.count && scalars[i..<(i + s.count)].elementsEqual(s) }
        }
        var out: [Piece] = []
        var i = 0
        func take(_ end: Int) {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[i..<end])
            out.append(Piece(text: String(s), isSpecial: false))
            i = end
        }
        while i < scalars.count {
            if let k = special(at: i) {
                out.append(Piece(text: specials[k], isSpecial: true))
                i += specialScalars[k].count
                continue
            }
            var j = i
            if scalars[j] == " ", j + 1 < scalars.count, special(at: j + 1) == nil, !scalars[j + 1].properties.isWhitespace {
                j += 1  // a single leading space joins the following word or symbol
            }
            if isWord(scalars[j]) {
                j += 1
                while j < scalars.count, isWord(scalars[j]), special(at: j) == nil { j += 1 }
                take(j)
            } else {
                take(j + 1)
            }
        }
        return out
    }
}
