import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing

/// Golden vectors from scripts/reference/rewards_reference.py, an independent Python
/// re-implementation of Search-R1's reward rules.
struct RewardGoldenTests {
    static let rows: [[String: JSONValue]] = {
        let text = (try? Fixtures.text("golden/rewards.jsonl")) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let o)? = try? JSONValue.parse(Data(line.utf8)) else { return nil }
            return o
        }
    }()

    static func rows(_ kind: String) -> [[String: JSONValue]] {
        rows.filter { $0["kind"] == .string(kind) }
    }

    @Test func goldenFileIsPresent() {
        #expect(Self.rows("normalize").count >= 40)
        #expect(Self.rows("sequence").count >= 20)
    }

    @Test func normalizeMatchesPython() throws {
        for row in Self.rows("normalize") {
            guard case .string(let input)? = row["input"], case .string(let expected)? = row["normalized"] else {
                Issue.record("bad row \(row)"); continue
            }
            let got = AnswerMatching.normalize(input)
            #expect(Array(got.unicodeScalars) == Array(expected.unicodeScalars),
                    "normalize(\(input.debugDescription)) = \(got.debugDescription), Python: \(expected.debugDescription)")
        }
    }

    @Test func exactAndSubExactMatchMatchPython() throws {
        for row in Self.rows("match") {
            let fields = try JSONFields(.object(row), expected: "row")
            let prediction = try #require(try fields.string("prediction"))
            let goldens = try #require(try fields.strings("golden_answers"))
            #expect(row["em"] == .bool(AnswerMatching.exactMatch(prediction, goldens)), "em \(prediction.debugDescription) vs \(goldens)")
            #expect(row["subem"] == .bool(AnswerMatching.subExactMatch(prediction, goldens)), "subem \(prediction.debugDescription) vs \(goldens)")
        }
    }

    @Test func whitespaceSetMatchesPythonIsspace() throws {
        let row = try #require(Self.rows("whitespace").first)
        guard case .array(let points)? = row["code_points"] else { Issue.record("no code points"); return }
        let python = Set(points.compactMap { value -> UInt32? in
            if case .integer(let i) = value { return UInt32(i) }
            return nil
        })
        let ours = Set((0..<0x11_0000).compactMap { v -> UInt32? in
            guard let s = Unicode.Scalar(UInt32(v)) else { return nil }
            return PythonText.isSpace(s) ? UInt32(v) : nil
        })
        #expect(ours == python)
    }

    @Test func sequenceScoresMatchPython() throws {
        for row in Self.rows("sequence") {
            let fields = try JSONFields(.object(row), expected: "row")
            let name = try fields.string("name") ?? "?"
            let sequence = try #require(try fields.string("solution_str"))
            let goldens = try #require(try fields.strings("golden_answers"))
            let weights = SearchR1Reward.FormatWeights(structureFormatScore: 0.2, finalFormatScore: 0.1, retrievalScore: 0.05)
            guard case .object(let expected)? = row["expected"] else { Issue.record("no expectations"); continue }
            for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "/").map(String.init)
                let scheme = try #require(SearchR1Reward.Scheme(rawValue: parts[0]))
                let extraction = try #require(AnswerExtraction(rawValue: parts[1]))
                let text = extraction == .upstream ? sequence : SequenceParser.parse(sequence).turnsText
                let got = SearchR1Reward.score(text, goldens: goldens, scheme: scheme, weights: weights, extraction: extraction)
                let want = try JSONFields(value, expected: "expectation")
                let wantScore: Double
                switch want.object["score"] {
                case .integer(let i)?: wantScore = Double(i)
                case .number(let d)?: wantScore = d
                default: Issue.record("\(name) \(key): no score"); continue
                }
                #expect(got.score == wantScore, "\(name) \(key): score \(got.score), Python \(wantScore)")
                #expect(got.answer == (try want.string("answer")), "\(name) \(key): answer")
                #expect(want.object["em"] == .bool(got.exactMatch), "\(name) \(key): em")
                #expect(want.object["format_valid"] == .bool(got.formatValid), "\(name) \(key): format_valid")
                #expect(want.object["retrieval_hit"] == .bool(got.retrievalHit), "\(name) \(key): retrieval_hit")
            }
        }
    }
}
