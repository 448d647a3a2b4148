import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabTestSupport
import Testing

/// Each failure class on a hand-built trajectory of its kind, parsed from Search-R1 text.
struct FailureScannerTests {
    static func trajectory(_ response: String, goldens: [String] = ["Paris"]) throws -> Trajectory {
        let prompt = try SearchR1Format.prompt(question: "Where is the Louvre?")
        return SequenceParser.parse(prompt + response, metadata: SequenceMetadata(id: "q1", dataSource: "nq", goldenAnswers: goldens))
    }

    static func info(_ docs: [(title: String, text: String)]) -> String {
        "\n\n<information>" + docs.enumerated().map { "Doc \($0 + 1)(Title: \($1.title)) \($1.text)" }.joined(separator: "\n") + "</information>\n\n"
    }

    static func classes(_ t: Trajectory, chain: [String]? = nil) -> [FailureClass] {
        FailureScanner.classify(t, chain: chain).map(\.failureClass)
    }

    @Test func aRightAnswerHasNoClass() throws {
        let t = try Self.trajectory("<think>x</think><search>louvre</search>" + Self.info([("Louvre", "a museum in Paris")])
                                    + "<think>y</think><answer>Paris</answer>")
        #expect(t.outcome.exactMatch)
        #expect(FailureScanner.classify(t).isEmpty)
    }

    @Test func answeringWithoutSearchingIsNoSearch() throws {
        let t = try Self.trajectory("<think>I know</think><answer>Lyon</answer>")
        #expect(Self.classes(t) == [.noSearch])
        #expect(FailureScanner.classify(t)[0].detail == #"answered "Lyon" without searching"#)
    }

    @Test func noRetrievedAnswerIsARetrievalFailure() throws {
        let t = try Self.trajectory("<think>x</think><search>louvre</search>" + Self.info([("Louvre", "a large museum")])
                                    + "<think>y</think><answer>Lyon</answer>")
        #expect(Self.classes(t) == [.retrievalFailure])
    }

    @Test func aRetrievedButUngivenAnswerIsAReadingFailure() throws {
        let t = try Self.trajectory("<think>x</think><search>louvre</search>" + Self.info([("Louvre", "a museum in Paris")])
                                    + "<think>y</think><answer>Lyon</answer>")
        #expect(Self.classes(t) == [.readingFailure])
        #expect(FailureScanner.classify(t)[0].detail == #"a golden answer was retrieved in turn 0, but the answer given was "Lyon""#)
    }

    @Test func answeringBeforeTheLastHopIsAHopSkipped() throws {
        let t = try Self.trajectory("<think>x</think><search>louvre architect</search>" + Self.info([("I. M. Pei", "an architect")])
                                    + "<think>y</think><answer>Lyon</answer>")
        let findings = FailureScanner.classify(t, chain: ["I. M. Pei", "Suzhou"])
        #expect(findings.map(\.failureClass) == [.retrievalFailure, .hopSkipped])
        #expect(findings[1].detail == #"answered without retrieving hop 2 of 2 (passage "Suzhou")"#)
        // Every hop retrieved: no skip. A single-hop chain is never checked.
        #expect(!Self.classes(t, chain: ["I. M. Pei"]).contains(.hopSkipped))
        let jumped = FailureScanner.classify(t, chain: ["Louvre", "I. M. Pei", "Suzhou"]).first { $0.failureClass == .hopSkipped }
        #expect(jumped?.detail.hasSuffix("though a later hop's passage was retrieved") == true)
    }

    @Test func nearDuplicateQueriesAreRepeated() throws {
        let same = try Self.trajectory("<think>x</think><search>louvre city</search>" + Self.info([("A", "b")])
                                       + "<think>x</think><search>Louvre  City</search>" + Self.info([("A", "b")])
                                       + "<think>y</think><answer>Lyon</answer>")
        #expect(Self.classes(same).contains(.repeatedQuery))
        let near = try Self.trajectory("<think>x</think><search>the louvre museum city france</search>" + Self.info([("A", "b")])
                                       + "<think>x</think><search>louvre museum city france</search>" + Self.info([("A", "b")])
                                       + "<think>y</think><answer>Lyon</answer>")
        #expect(FailureScanner.classify(near).first { $0.failureClass == .repeatedQuery }?.detail.contains("nearly repeats") == true)
        let different = try Self.trajectory("<think>x</think><search>louvre city</search>" + Self.info([("A", "b")])
                                            + "<think>x</think><search>mona lisa painter</search>" + Self.info([("A", "b")])
                                            + "<think>y</think><answer>Lyon</answer>")
        #expect(!Self.classes(different).contains(.repeatedQuery))
    }

    @Test func searchingAfterTheAnswerWasRetrieved() throws {
        let t = try Self.trajectory("<think>x</think><search>louvre</search>" + Self.info([("Louvre", "in Paris")])
                                    + "<think>x</think><search>louvre city</search>" + Self.info([("A", "b")])
                                    + "<think>y</think><answer>Lyon</answer>")
        #expect(Self.classes(t) == [.readingFailure, .searchAfterRetrieved])
    }

    @Test func invalidActionsAndBrokenFormatAreInvalidFormat() throws {
        let invalid = try Self.trajectory("<think>x</think>I will look it up.<think>y</think><answer>Lyon</answer>")
        #expect(Self.classes(invalid).contains(.invalidFormat))
        // Valid actions, but the answer comes without a <think> first.
        let unthought = try Self.trajectory("<answer>Lyon</answer>")
        let finding = FailureScanner.classify(unthought).first { $0.failureClass == .invalidFormat }
        #expect(finding?.detail == "Search-R1's format check: <answer> where <think> must come")
    }

    @Test func endingWithoutAnAnswerIsCutOff() throws {
        let t = try Self.trajectory("<think>x</think><search>louvre</search>" + Self.info([("A", "b")]) + "<think>x</think><search>again</search>")
        let findings = FailureScanner.classify(t)
        #expect(findings.map(\.failureClass).contains(.cutOff))
        #expect(findings.first { $0.failureClass == .cutOff }?.detail == "turn limit: it searched in the final, answer-only turn 1")
    }

    /// The classes cover every miss: a randomised mix of the shapes above never goes unclassified.
    @Test func everyMissGetsAClass() throws {
        var stream = RandomStream(seed: 7, purpose: "test.scan")
        let pieces = ["<think>x</think>", "<search>louvre</search>" + Self.info([("Louvre", "in Paris")]),
                      "<search>q</search>" + Self.info([("A", "b")]), "<answer>Lyon</answer>", "<answer>Paris</answer>", "stray text", "<search>q</search>"]
        for _ in 0..<300 {
            let response = (0..<Int(stream.next() % 5 + 1)).map { _ in pieces[Int(stream.next() % UInt64(pieces.count))] }.joined()
            let t = try Self.trajectory(response)
            #expect(t.outcome.exactMatch || !FailureScanner.classify(t).isEmpty, "\(response)")
        }
    }
}
