import Foundation
import GRDB
import SearchLabCore
import SearchLabEngines
import SearchLabPolicy
import SearchLabReplay
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite(.serialized)
struct ReplayTests {
    func fixture() throws -> ReplayFixture { try ReplayFixture.shared.get() }

    func replay(_ id: Int64, db: String, _ options: ReplayOptions = ReplayOptions()) async throws -> ReplayReport {
        let store = try RunStore(path: db, create: false)
        let setup = try ReplaySetup(store: store, ref: .storeID(id))
        return try await Replayer.replay(setup, store: store, options: options)
    }

    func tokenizer() throws -> Tokenizer {
        try Checkpoint.load(from: URL(fileURLWithPath: fixture().base)).tokenizer
    }

    /// Rewrites the stored canonical JSON of trajectory `id` in `db`.
    func overwrite(_ trajectory: Trajectory, id: Int64, in db: String) throws {
        let store = try RunStore(path: db, create: false)
        try store.write { writer in
            try writer.db.execute(sql: "UPDATE trajectory_text SET canonical_json = ? WHERE trajectory_id = ?",
                                  arguments: [CanonicalJSON.string(trajectory), id])
        }
    }

    @Test func everyEvalAndTrainTrajectoryReplaysByteIdentical() async throws {
        let f = try fixture()
        let ids = try f.ids(run: "ev") + f.ids(run: "tr")
        #expect(ids.count == 40 + 2 * 4)
        for id in ids {
            let report = try await replay(id, db: f.db)
            #expect(report.identical, "#\(id): \(String(describing: report.divergence))")
            #expect(report.mode == .replay)
            #expect(!report.outcomeChanged)
        }
    }

    @Test func verifyConfirmsTheRecordingMostlyByTeacherForcing() async throws {
        let f = try fixture()
        var forced = 0, regenerated = 0
        for id in try f.ids(run: "ev") + f.ids(run: "tr") {
            let report = try await replay(id, db: f.db, ReplayOptions(verify: true))
            #expect(report.identical, "#\(id): \(String(describing: report.divergence))")
            forced += report.verify?.teacherForcedTurns.count ?? 0
            regenerated += report.verify?.regenerated.count ?? 0
        }
        #expect(forced > 0, "no turn was checked by teacher forcing (\(regenerated) regenerated)")
    }

    @Test func aTamperedTokenIsNamedByItsTurnAndPosition() async throws {
        let f = try fixture()
        let db = try f.copy(named: "tampered-token.sqlite")
        let tokenizer = try tokenizer()
        let store = try RunStore(path: db, create: false)
        for id in try f.ids(run: "ev") {
            var trajectory = try store.trajectory(.storeID(id)).trajectory
            // The last turn that re-tokenises to its sampled token count, in ASCII (so a
            // replaced byte cannot break a multi-byte character before it).
            guard let t = trajectory.turns.indices.last(where: {
                let turn = trajectory.turns[$0]
                return turn.rawGeneration.utf8.allSatisfy { $0 < 0x80 } && tokenizer.encode(turn.rawGeneration).count >= 4
                    && tokenizer.encode(turn.rawGeneration).count == turn.tokens?.generated
            }) else { continue }
            let tokens = tokenizer.encode(trajectory.turns[t].rawGeneration)
            let position = 2
            let firstByte = tokenizer.bytes(of: tokens[position])[0]
            let replacement = tokenizer.byteBase + Int(firstByte == UInt8(ascii: "Z") ? UInt8(ascii: "Y") : UInt8(ascii: "Z"))
            var tampered = tokens
            tampered[position] = replacement
            trajectory.turns[t].rawGeneration = tokenizer.decode(tampered)
            trajectory.turns[t].text = SearchR1Format.truncateTurn(trajectory.turns[t].rawGeneration)
            try overwrite(trajectory, id: id, in: db)

            let report = try await replay(id, db: db)
            #expect(!report.identical)
            let divergence = try #require(report.divergence)
            #expect(divergence.turn == t)
            #expect(divergence.part == .generation)
            #expect(divergence.tokenPosition == position)
            #expect(divergence.cause == .logits)
            #expect(divergence.expected == tokenizer.decode([replacement]))
            #expect(divergence.got == tokenizer.decode([tokens[position]]))
            // --verify finds the same place.
            let verified = try await replay(id, db: db, ReplayOptions(verify: true))
            #expect(verified.divergence == divergence)
            return
        }
        Issue.record("no eval turn to tamper with")
    }

    @Test func aTamperedRetrievalIsNamedByTurnAndRank() async throws {
        let f = try fixture()
        let (id, t) = try #require(try f.searchTurns(run: "ev").first)
        let db = try f.copy(named: "tampered-retrieval.sqlite")
        let store = try RunStore(path: db, create: false)
        let stored = try store.trajectory(.storeID(id))
        let turn = stored.trajectory.turns[t]
        // The run's retrieval log now says the engine returned another title at rank 1.
        var hits = turn.observation!.documents.map { SearchHit(document: CorpusDocument(id: $0.id!, contents: $0.contents), score: $0.score!) }
        hits[0].document = CorpusDocument(id: hits[0].document.id, contents: "Tampered\n" + turn.observation!.documents[0].text)
        try store.write { writer in
            // `eval` logged the real answer; it is replaced by the tampered one.
            try writer.db.execute(sql: "DELETE FROM retrieval_log WHERE run_id = ? AND step = ? AND query = ?",
                                  arguments: [stored.record.runID, stored.record.step, turn.action.content!])
            try writer.logRetrieval(runID: stored.record.runID, step: stored.record.step,
                                    engineFingerprint: stored.trajectory.provenance!.engineFingerprint!,
                                    query: turn.action.content!, topK: 3, hits: hits)
        }
        let report = try await replay(id, db: db)
        let divergence = try #require(report.divergence)
        #expect(divergence.turn == t)
        #expect(divergence.part == .observation)
        #expect(divergence.cause == .retrieval)
        #expect(divergence.detail.hasPrefix("rank 1: recorded doc "))
        #expect(divergence.detail.contains("replay got doc ") && divergence.detail.hasSuffix("\"Tampered\""))
        // The replay's observation token holding the first byte that differs.
        let shown = SearchR1Format.informationObservation(hits.enumerated().map {
            RetrievedDocument(document: $1.document, score: $1.score, rank: $0 + 1)
        }).text
        let common = zip(turn.observation!.text.utf8, shown.utf8).prefix { $0 == $1 }.count
        let tokenizer = try tokenizer()
        var position = 0, start = 0
        for token in tokenizer.encode(shown) {
            if start + tokenizer.bytes(of: token).count > common { break }
            start += tokenizer.bytes(of: token).count
            position += 1
        }
        #expect(divergence.tokenPosition == position)
        #expect(divergence.got == tokenizer.decode([tokenizer.encode(shown)[position]]))
        #expect(report.diverged)
    }

    @Test func whatIfWithoutDocumentsChangesTheSearchTurns() async throws {
        let f = try fixture()
        let (id, t) = try #require(try f.searchTurns(run: "ev").first)
        let report = try await replay(id, db: f.db, ReplayOptions(engine: EmptyEngine()))
        #expect(report.mode == .whatIf)
        #expect(!report.identical)
        #expect(report.divergence?.turn == t)
        #expect(report.divergence?.cause == .retrieval)
        let changes = try #require(report.changes)
        let pair = changes.turns[t]
        #expect(pair.documents?.onlyB == [])
        #expect(pair.documents?.onlyA.isEmpty == false)
        #expect(changes.firstDivergence?.turn == t)
    }
}
