import Foundation
import SearchLabCore
import SearchLabEngines
import SearchLabServer
import SearchLabTestSupport
import Testing

@Suite struct RetrieveSchemaTests {
    @Test func scoredResponseIsSearchR1sShapeAndTheEnginesAnswer() async throws {
        let engine = RandomEngine(corpus: try exampleCorpus(), seed: 2)
        let queries = ["who was evan morris", "pavia cathedral"]
        let direct = try await engine.search(queries, topK: 4)
        try await withServer(engine: engine) { base in
            let reply = try await Client.post(base, json: #"{"queries": ["who was evan morris", "pavia cathedral"], "topk": 4, "return_scores": true}"#)
            #expect(reply.status == 200)
            #expect(reply.contentType == "application/json")
            #expect(reply.body == (try SearchR1Wire.responseBody(direct, returnScores: true)))
            let result = try #require((reply.json as? [String: Any])?["result"] as? [[[String: Any]]])
            #expect(result.count == 2 && result.allSatisfy { $0.count == 4 })
            let first = result[0][0]
            #expect(Set(first.keys) == ["document", "score"])
            let document = try #require(first["document"] as? [String: Any])
            #expect(Set(document.keys) == ["id", "contents"])
            #expect(document["id"] as? String == direct[0][0].document.id)
            // JSONSerialization on Linux can misround the last digit; JSONDecoder reads exactly.
            struct Scored: Decodable { var result: [[SearchHit]] }
            #expect(try JSONDecoder().decode(Scored.self, from: reply.body).result == direct)
        }
    }

    @Test func withoutScoresTheResultIsListsOfDocuments() async throws {
        let engine = RandomEngine(corpus: try exampleCorpus(), seed: 2)
        let direct = try await engine.search(["q"], topK: 2)
        try await withServer(engine: engine) { base in
            for body in [#"{"queries": ["q"], "topk": 2}"#, #"{"queries": ["q"], "topk": 2, "return_scores": false}"#] {
                let reply = try await Client.post(base, json: body)
                #expect(reply.status == 200)
                let result = try #require((reply.json as? [String: Any])?["result"] as? [[[String: String]]])
                #expect(result == [direct[0].map { ["id": $0.document.id, "contents": $0.document.contents] }])
            }
        }
    }

    @Test func missingNullOrZeroTopKMeansTheServerDefault() async throws {
        try await withServer(engine: RandomEngine(corpus: try exampleCorpus(), seed: 2), configure: { $0.defaultTopK = 5 }) { base in
            for topk in ["", #", "topk": null"#, #", "topk": 0"#, #", "topk": 0.0"#] {
                let reply = try await Client.post(base, json: #"{"queries": ["a", "b"], "return_scores": true"# + topk + "}")
                #expect(reply.status == 200, "topk variant \(topk)")
                let result = try #require((reply.json as? [String: Any])?["result"] as? [[Any]])
                #expect(result.map(\.count) == [5, 5], "topk variant \(topk)")
            }
        }
    }

    @Test func healthReportsTheEngine() async throws {
        let engine = EmptyEngine()
        try await withServer(engine: engine) { base in
            let reply = try await Client.get(base, "health")
            #expect(reply.status == 200)
            #expect(reply.json as? [String: String] == ["status": "ok", "engine": engine.fingerprint])
            let empty = try await Client.post(base, json: #"{"queries": ["x", "y"], "return_scores": true}"#)
            #expect(String(decoding: empty.body, as: UTF8.self) == #"{"result":[[],[]]}"#)
        }
    }
}
