// What-if for imported rollouts: there is no policy to re-run, but their queries can be
// asked again of another engine, turn by turn, to see how much of what the model read
// that engine would also have returned.
import SearchLabAnalysis
import SearchLabCore

/// One search turn of an imported trajectory, asked again.
public struct RequeriedTurn: Codable, Sendable {
    public var turn: Int
    public var query: String
    public var recordedTitles: [String]
    public var newTitles: [String]
    public var overlap: TrajectoryDiff.DocumentOverlap

    enum CodingKeys: String, CodingKey {
        case turn, query, overlap
        case recordedTitles = "recorded_titles"
        case newTitles = "new_titles"
    }
}

enum Requery {
    /// Re-issues every search turn's query to `engine` (one batched call) and compares the
    /// documents with the recorded ones.
    static func run(_ setup: ReplaySetup, engine: any SearchEngine, topK: Int) async throws -> ReplayReport {
        let searches = setup.stored.trajectory.turns.filter { $0.action.kind == .search && $0.action.content != nil }
        let answers = searches.isEmpty ? [] : try await engine.search(searches.map { $0.action.content! }, topK: topK)
        var report = ReplayReport(setup: setup, mode: .requery, engine: engine.fingerprint, topK: topK)
        report.requeried = zip(searches, answers).map { turn, hits in
            let recorded = turn.observation?.documents ?? []
            let now = hits.enumerated().map { RetrievedDocument(document: $1.document, score: $1.score, rank: $0 + 1) }
            return RequeriedTurn(turn: turn.index, query: turn.action.content!, recordedTitles: recorded.map(\.title),
                                 newTitles: now.map(\.title), overlap: TrajectoryDiff.overlap(recorded, now))
        }
        return report
    }
}
