import Foundation
import SearchLabRetrieval
import SearchLabTestSupport
import Testing

/// The analyzer against Python's `re` + `str.lower()` (scripts/reference/bm25_reference.py).
struct AnalyzerTests {
    struct Case: Decodable {
        var text: String
        var tokens: [String]
        var terms_en: [String]
    }

    static let cases: [Case] = {
        (try? JSONDecoder().decode([Case].self, from: Data(Fixtures.text("golden/analyzer.json").utf8))) ?? []
    }()

    @Test func goldenFileLoads() {
        #expect(AnalyzerTests.cases.count >= 10)
    }

    @Test(arguments: AnalyzerTests.cases)
    func matchesPythonTokenisation(_ golden: Case) {
        let plain = Analyzer(AnalyzerSettings(lowercase: true, stopwords: .none, stemmer: .none))
        let english = Analyzer(.bm25sDefault)
        #expect(plain.terms(golden.text) == golden.tokens, "tokens of \(golden.text.debugDescription)")
        #expect(english.terms(golden.text) == golden.terms_en, "terms of \(golden.text.debugDescription)")
    }

    @Test func asciiAndUnicodePathsAgree() {
        // The same words with and without a non-ASCII character elsewhere in the text.
        let analyzer = Analyzer(.bm25sDefault)
        let ascii = analyzer.terms("Max_Len 42 a bb The CCC x1")
        let mixed = analyzer.terms("Max_Len 42 a bb The CCC x1 é")
        #expect(ascii == ["max_len", "42", "bb", "ccc", "x1"])
        #expect(mixed == ascii)
    }

    @Test func stopListIsBm25sEnglish() {
        #expect(EnglishStopwords.words.count == 33)
        #expect(EnglishStopwords.words == EnglishStopwords.words.sorted())
        #expect(Analyzer(.bm25sDefault).terms("such a thing is not there") == ["thing"])
    }

    @Test func queryRepeatsAreKept() {
        #expect(Analyzer(.bm25sDefault).terms("Paris paris PARIS") == ["paris", "paris", "paris"])
    }

    @Test func stemmingFollowsStopWords() {
        let analyzer = Analyzer(AnalyzerSettings(lowercase: true, stopwords: .en, stemmer: .porter))
        #expect(analyzer.terms("The running horses were connected") == ["run", "hors", "were", "connect"])
    }
}

/// Porter stems against NLTK's reference-implementation mode (scripts/reference/porter_reference.py).
struct PorterStemmerTests {
    @Test func paperExamples() {
        let pairs = [("caresses", "caress"), ("ponies", "poni"), ("ties", "ti"), ("cats", "cat"),
                     ("agreed", "agre"), ("plastered", "plaster"), ("motoring", "motor"), ("sing", "sing"),
                     ("conflated", "conflat"), ("hopping", "hop"), ("falling", "fall"), ("filing", "file"),
                     ("happy", "happi"), ("sky", "sky"), ("relational", "relat"), ("generalizations", "gener"),
                     ("oscillators", "oscil"), ("archaeology", "archaeolog"), ("by", "by")]
        for (word, stem) in pairs { #expect(PorterStemmer.stem(word) == stem, "\(word)") }
    }

    @Test func goldenVocabulary() throws {
        let pairs = try JSONDecoder().decode([[String]].self, from: Data(Fixtures.text("golden/porter.json").utf8))
        #expect(pairs.count > 1000)
        var wrong: [String] = []
        for pair in pairs where PorterStemmer.stem(pair[0]) != pair[1] {
            wrong.append("\(pair[0]) → \(PorterStemmer.stem(pair[0])) (expected \(pair[1]))")
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(20))")
    }
}
