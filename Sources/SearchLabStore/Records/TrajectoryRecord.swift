// Records of `trajectory` and `trajectory_text`.
//
// The small columns (outcome, counts, ids) live in `trajectory` so that the analysis
// queries scan narrow rows; the long texts (prompt, canonical JSON) live in
// `trajectory_text`, one row per trajectory, read only to reconstruct a trajectory.
import GRDB

/// A row of `trajectory`: one rollout's identity, outcome and derived counts.
public struct TrajectoryRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "trajectory"

    public var id: Int64?
    public var runID: Int64
    public var step: Int
    public var sampleIndex: Int
    /// Hops of the question when known (from the data source, e.g. `sim-2hop`).
    public var hops: Int?
    public var exactMatch: Bool
    public var formatValid: Bool
    public var retrievalHit: Bool
    public var reward: Double
    /// Searches answered with an information block (Search-R1's `number_of_valid_search`).
    public var searchCount: Int
    public var validActionCount: Int
    /// Generation turns (Search-R1's `number_of_actions`).
    public var turnCount: Int
    /// Turns whose action was a search, answered or not.
    public var searchActions: Int
    public var invalidActions: Int
    /// Searches whose query (stripped, lowercased) repeats an earlier one in the trajectory.
    public var repeatedQueries: Int
    /// Whether a golden answer occurs (normalised) in any information block, regardless of format.
    public var answerRetrieved: Bool
    /// Searches issued after the first information block that contained a golden answer.
    public var searchesAfterHit: Int
    /// `finished` or `cut_off`.
    public var status: String
    public var dataSource: String
    public var questionID: String
    public var groupID: String
    public var extractedAnswer: String?
    public var goldenAnswersJSON: String
    public var question: String
    /// SHA-256 of the canonical JSON of the whole trajectory.
    public var contentDigest: String
    /// Canonical JSON of the trajectory's `Provenance` (seed, checkpoint, sampling, engine).
    public var provenanceJSON: String?

    enum CodingKeys: String, CodingKey {
        case id, step, hops, reward, status, question
        case runID = "run_id"
        case sampleIndex = "sample_index"
        case exactMatch = "exact_match"
        case formatValid = "format_valid"
        case retrievalHit = "retrieval_hit"
        case searchCount = "search_count"
        case validActionCount = "valid_action_count"
        case turnCount = "turn_count"
        case searchActions = "search_actions"
        case invalidActions = "invalid_actions"
        case repeatedQueries = "repeated_queries"
        case answerRetrieved = "answer_retrieved"
        case searchesAfterHit = "searches_after_hit"
        case dataSource = "data_source"
        case questionID = "question_id"
        case groupID = "group_id"
        case extractedAnswer = "extracted_answer"
        case goldenAnswersJSON = "golden_answers_json"
        case contentDigest = "content_digest"
        case provenanceJSON = "provenance_json"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let runID = Column(CodingKeys.runID)
        public static let step = Column(CodingKeys.step)
        public static let sampleIndex = Column(CodingKeys.sampleIndex)
        public static let questionID = Column(CodingKeys.questionID)
        public static let groupID = Column(CodingKeys.groupID)
        public static let exactMatch = Column(CodingKeys.exactMatch)
        public static let reward = Column(CodingKeys.reward)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `trajectory_text`: the long texts of a trajectory.
public struct TrajectoryTextRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "trajectory_text"
    public var trajectoryID: Int64
    public var prompt: String
    public var trailing: String
    /// Canonical JSON of the trajectory's own malformations; nil when there are none (and for
    /// rows written before schema v3, whose `canonicalJSON` holds them).
    public var malformationsJSON: String?
    /// Canonical JSON of the whole `Trajectory`, which decoding gives back exactly. Since
    /// schema v3 only kept when the other rows cannot rebuild the trajectory; nil otherwise.
    public var canonicalJSON: String?

    enum CodingKeys: String, CodingKey {
        case prompt, trailing
        case trajectoryID = "trajectory_id"
        case malformationsJSON = "malformations_json"
        case canonicalJSON = "canonical_json"
    }

    public enum Columns {
        public static let trajectoryID = Column(CodingKeys.trajectoryID)
    }
}
