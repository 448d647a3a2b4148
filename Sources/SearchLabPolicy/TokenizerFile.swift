// tokenizer.json in the Hugging Face `tokenizers` format (WordLevel model).
import Foundation
import SearchLabCore

extension Tokenizer {
    /// The `tokenizer.json` document: deterministic bytes (canonical JSON, sorted keys).
    public func jsonData() throws -> Data {
        let added: [JSONValue] = specials.map { token in
            .object([
                "id": .integer(Int64(ids[token]!)), "content": .string(token), "single_word": .bool(false),
                "lstrip": .bool(false), "rstrip": .bool(false), "normalized": .bool(false), "special": .bool(true),
            ])
        }
        let vocab = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, JSONValue.integer(Int64($0))) })
        let doc: JSONValue = .object([
            "version": .string("1.0"),
            "truncation": .null, "padding": .null,
            "added_tokens": .array(added),
            "normalizer": .null,
            "pre_tokenizer": .object([
                "type": .string("Split"), "pattern": .object(["Regex": .string(Pretokenizer.hfPattern)]),
                "behavior": .string("Isolated"), "invert": .bool(false),
            ]),
            "post_processor": .null,
            "decoder": .object([
                "type": .string("Sequence"),
                "decoders": .array([.object(["type": .string("ByteFallback")]), .object(["type": .string("Fuse")])]),
            ]),
            "model": .object(["type": .string("WordLevel"), "vocab": .object(vocab), "unk_token": .string("<unk>")]),
        ])
        return try CanonicalJSON.encode(doc)
    }

    /// Writes `tokenizer.json` atomically.
    public func save(to url: URL) throws {
        try jsonData().write(to: url, options: .atomic)
    }

    /// Reads a `tokenizer.json` written by ``save(to:)``.
    /// - Throws: ``PolicyError`` naming the file and what was expected.
    public static func load(from url: URL) throws -> Tokenizer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw PolicyError("\(url.path): cannot read tokenizer (\(error.localizedDescription))") }
        return try parse(data, file: url.path)
    }

    static func parse(_ data: Data, file: String) throws -> Tokenizer {
        func fail(_ what: String) -> PolicyError { PolicyError("\(file): \(what)") }
        guard case .object(let doc)? = try? JSONValue.parse(data) else { throw fail("not a JSON object (expected a tokenizer.json)") }
        guard case .object(let model)? = doc["model"], model["type"] == .string("WordLevel"),
              case .object(let vocab)? = model["vocab"]
        else { throw fail("expected a WordLevel model with a vocab object") }
        guard case .object(let pre)? = doc["pre_tokenizer"], case .object(let pattern)? = pre["pattern"],
              pattern["Regex"] == .string(Pretokenizer.hfPattern)
        else { throw fail("unsupported pre_tokenizer (expected SearchLab's Split pattern)") }
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (token, value) in vocab {
            guard case .integer(let id) = value, id >= 0, Int(id) < vocab.count, tokens[Int(id)] == nil else {
                throw fail("vocab ids must be 0..<\(vocab.count), each used once (bad id for \(token))")
            }
            tokens[Int(id)] = token
        }
        var specials: [String] = []
        if case .array(let added)? = doc["added_tokens"] {
            for item in added {
                guard case .object(let fields) = item, case .string(let content)? = fields["content"] else {
                    throw fail("added_tokens entries need a content string")
                }
                specials.append(content)
            }
        }
        do { return try Tokenizer(tokens: tokens.map { $0! }, specials: specials) } catch { throw fail(error.message) }
    }
}
