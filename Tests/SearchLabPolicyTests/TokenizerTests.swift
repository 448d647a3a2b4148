// The tokenizer: lossless round trips, tags as single tokens, determinism, the file format.
import Foundation
import SearchLabPolicy
import SearchLabTestSupport
import Testing

@Suite struct TokenizerTests {
    static let corpus = [
        "<|im_start|>user\nWho wrote Hamlet?<|im_end|>",
        "<think> I need to search. </think> <search> Hamlet author </search>",
        "<information> Hamlet is a tragedy by William Shakespeare. </information>",
        "<answer> William Shakespeare </answer>",
        "the the the of of and and search search answer",
        "Paris is the capital of France; Berlin is the capital of Germany; Rome is the capital of Italy.",
        "Question: which river flows through Vienna, Budapest and Belgrade? Answer: the Danube river.",
        "Mount Everest, at 8849 metres, is the highest mountain above sea level on Earth.",
        "The Great Barrier Reef lies off the coast of Queensland in northeastern Australia.",
    ]

    static func tokenizer() throws -> Tokenizer { try Tokenizer.build(corpus: corpus, vocabSize: 300, minCount: 1) }

    @Test(arguments: [
        "", " ", "Hello, world!", "  two  spaces\tand\ttabs\r\nCRLF\n",
        "émigré café — naïve; 北京 2024 ½", "e\u{301} combining", "emoji 👩‍👩‍👧 flags 🇫🇷",
        "<search>nested <search></search></search>", "<thin <answer", "<|im_start|><|im_end|>", "\u{0}\u{7F}\u{FFFD}",
    ])
    func decodeInvertsEncode(text: String) throws {
        let tok = try Self.tokenizer()
        let ids = tok.encode(text)
        #expect(Array(tok.decode(ids).utf8) == Array(text.utf8))
    }

    @Test func randomStringsRoundTrip() throws {
        let tok = try Self.tokenizer()
        var rng = TestRandom(5)
        let alphabet = Array("ab <>/sech\n\t é😀の1.,".unicodeScalars)
        for _ in 0..<200 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int((rng.next() + 1) * 20) { s.append(alphabet[rng.token(alphabet.count)]) }
            let text = String(s)
            #expect(Array(tok.decode(tok.encode(text)).utf8) == Array(text.utf8))
        }
    }

    @Test func searchTagsAreSingleTokens() throws {
        let tok = try Self.tokenizer()
        for tag in Tokenizer.specialTokens {
            #expect(tok.encode(tag) == [tok.id(of: tag)!])
        }
        let ids = tok.encode("<search>Hamlet</search>")
        #expect(ids.first == tok.id(of: "<search>") && ids.last == tok.id(of: "</search>"))
        // frequent corpus words are single tokens; unseen words fall back to bytes
        #expect(tok.encode(" Shakespeare").count == 1)
        #expect(tok.encode("zqx").count == 3)
    }

    @Test func fixtureTokenizerFillsItsVocabulary() throws {
        #expect(try Self.tokenizer().vocabSize == 300)
    }

    @Test func buildIsDeterministicAndOrderIndependent() throws {
        let a = try Self.tokenizer()
        let b = try Tokenizer.build(corpus: Self.corpus.reversed(), vocabSize: 300, minCount: 1)
        #expect(try a.jsonData() == b.jsonData())
    }

    @Test func saveAndLoadRoundTrip() throws {
        let tok = try Self.tokenizer()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tokenizer.json")
        try tok.save(to: url)
        let loaded = try Tokenizer.load(from: url)
        #expect(loaded == tok)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        #expect((json["model"] as! [String: Any])["type"] as? String == "WordLevel")
    }

    @Test func malformedFilesAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tokenizer.json")
        try Data("{\"model\": {\"type\": \"BPE\"}}".utf8).write(to: url)
        #expect { try Tokenizer.load(from: url) } throws: { "\($0)".contains("expected a WordLevel model") }
        try Data("not json".utf8).write(to: url)
        #expect { try Tokenizer.load(from: url) } throws: { "\($0)".contains("not a JSON object") }
    }
}
