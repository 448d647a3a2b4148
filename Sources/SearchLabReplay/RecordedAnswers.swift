// The `recorded` engine of a replay: answers each query exactly as it was answered when
// the trajectory was produced, from the run's retrieval log (what the engine returned,
// logged independently of the trajectory) or, where the run logged nothing (`eval`), from
// the documents the trajectory itself shows.
import SearchLabCore
import SearchLabStore

/// Answers from the recording; a query is matched by its exact text. A query the recording
/// never saw gets no documents: the replay has then already diverged in the turn that
/// asked it, and the comparison reports that turn's generation first.
public struct RecordedAnswers: SearchEngine {
    let answers: [String: [SearchHit]]
    public let fingerprint: String

    /// - Parameters:
    ///   - calls: the run's logged calls at the trajectory's step (first answer per query wins,
    ///     as later calls of the same query return the same answer).
    ///   - trajectory: its own observations fill in queries the log lacks.
    public init(calls: [RecordedRetrieval], trajectory: Trajectory) {
        var answers: [String: [SearchHit]] = [:]
        let fingerprint = trajectory.provenance?.engineFingerprint
        for call in calls where fingerprint == nil || call.engineFingerprint == fingerprint {
            if answers[call.query] == nil { answers[call.query] = call.hits }
        }
        for turn in trajectory.turns {
            guard turn.action.kind == .search, let query = turn.action.content,
                  let observation = turn.observation, observation.kind == .information, answers[query] == nil else { continue }
            answers[query] = observation.documents.map(Self.hit)
        }
        self.answers = answers
        self.fingerprint = fingerprint ?? "recorded"
    }

    /// The hit a shown document came from (title and text joined as the corpus stores them).
    static func hit(_ document: RetrievedDocument) -> SearchHit {
        SearchHit(document: CorpusDocument(id: document.id ?? "", contents: document.contents), score: document.score ?? 0)
    }

    public func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        queries.map { Array((answers[$0] ?? []).prefix(topK)) }
    }
}
