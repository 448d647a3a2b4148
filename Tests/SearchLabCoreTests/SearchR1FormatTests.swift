import SearchLabCore
import SearchLabTestSupport
import Testing

struct SearchR1FormatTests {
    @Test func instructionIsUpstreamsTextExactly() throws {
        let prompt = try SearchR1Format.instruction(question: "  who wrote ubik ")
        #expect(prompt.hasPrefix("Answer the given question. You must conduct reasoning inside <think> and </think> first"))
        #expect(prompt.contains("You can search as many times as your want."))
        #expect(prompt.hasSuffix("For example, <answer> Beijing </answer>. Question: who wrote ubik?\n"))
        #expect(try SearchR1Format.normalizeQuestion("is it?") == "is it?")
        #expect(throws: SearchLabError.self) { try SearchR1Format.normalizeQuestion(" \u{3000}\n") }
    }

    @Test func chatMLMatchesTheRealRollout() throws {
        let real = try Fixtures.text("search-r1/example-trajectory.txt")
        let prompt = try SearchR1Format.prompt(question: "paul walkers cars in fast and furious list")
        #expect(real.hasPrefix(prompt))
    }

    @Test func truncationPrefersSearchOverAnswer() {
        #expect(SearchR1Format.truncateTurn("<answer>a</answer> x <search>q</search> tail") == "<answer>a</answer> x <search>q</search>")
        #expect(SearchR1Format.truncateTurn("<answer>a</answer> tail") == "<answer>a</answer>")
        #expect(SearchR1Format.truncateTurn("no tags") == "no tags")
    }

    @Test func actionParseTakesTheFirstCompleteMatch() {
        #expect(SearchR1Format.parseAction("<answer>a</answer> x <search>q</search>") == .answer("a"))
        #expect(SearchR1Format.parseAction("<search> q \n</search>") == .search("q"))
        #expect(SearchR1Format.parseAction("<search>never closed <answer> b </answer>") == .answer("b"))
        #expect(SearchR1Format.parseAction("<Search>q</Search>") == .invalid)
        #expect(SearchR1Format.parseAction("<search>a</answer>") == .invalid)
    }

    @Test func observationBlockFollowsPassagesToString() {
        let docs = [
            RetrievedDocument(document: CorpusDocument(id: "1", contents: "\"Ubik\"\nUbik is a novel."), score: 2.5, rank: 1),
            RetrievedDocument(document: CorpusDocument(id: "2", contents: "\"Philip K. Dick\"\nAn author.  "), score: 1, rank: 2),
        ]
        #expect(SearchR1Format.informationBlock(docs) ==
                "\n\n<information>Doc 1(Title: \"Ubik\") Ubik is a novel.\nDoc 2(Title: \"Philip K. Dick\") An author.</information>\n\n")
        #expect(SearchR1Format.informationBlock([]) == "\n\n<information></information>\n\n")
    }

    @Test func documentsParseBackFromTheirRendering() {
        let inner = "Doc 1(Title: \"Foo (band)\") text one\nDoc 2(Title: Plain) text two\nDoc 3(Title: \"Q\") Doc 4(Title: x"
        let docs = SearchR1Format.parseDocuments(inner)
        #expect(docs.map(\.title) == ["\"Foo (band)\"", "Plain", "\"Q\""])
        #expect(docs.map(\.text) == ["text one", "text two", "Doc 4(Title: x"])
        #expect(docs.map(\.rank) == [1, 2, 3])
    }
}
