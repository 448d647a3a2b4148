// Records of `turn`, `retrieved_document` and `retrieval_log`.
import GRDB

/// A row of `turn`: one generation turn and what the environment appended.
public struct TurnRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "turn"
    public var trajectoryID: Int64
    public var turnIndex: Int
    /// nil when the raw generation is the kept `text` (schema v3 stores it once).
    public var rawGeneration: String?
    public var text: String
    /// `search`, `answer` or `invalid`.
    public var actionKind: String
    public var actionContent: String?
    /// `information`, `invalid_feedback`, or nil when nothing was appended.
    public var observationKind: String?
    /// nil when there is no observation, or (schema v3) when it is an information block that
    /// is exactly what Search-R1 renders from this turn's documents.
    public var observationText: String?
    public var observationTruncated: Bool
    /// Token counts, when the trajectory came from SearchLab's own rollout loop (replay needs them).
    public var generatedTokens: Int?
    public var keptTokens: Int?
    public var observationTokens: Int?
    public var malformationsJSON: String

    enum CodingKeys: String, CodingKey {
        case text
        case trajectoryID = "trajectory_id"
        case turnIndex = "turn_index"
        case rawGeneration = "raw_generation"
        case actionKind = "action_kind"
        case actionContent = "action_content"
        case observationKind = "observation_kind"
        case observationText = "observation_text"
        case observationTruncated = "observation_truncated"
        case generatedTokens = "generated_tokens"
        case keptTokens = "kept_tokens"
        case observationTokens = "observation_tokens"
        case malformationsJSON = "malformations_json"
    }

    public enum Columns {
        public static let trajectoryID = Column(CodingKeys.trajectoryID)
        public static let turnIndex = Column(CodingKeys.turnIndex)
        public static let actionKind = Column(CodingKeys.actionKind)
    }
}

/// A row of `retrieved_document`: one ranked passage shown in one turn's information block.
public struct RetrievedDocumentRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "retrieved_document"
    public var trajectoryID: Int64
    public var turnIndex: Int
    /// 1-based rank.
    public var rank: Int
    /// Corpus id; nil for documents parsed back from text.
    public var docID: String?
    public var title: String
    public var text: String
    public var score: Double?

    enum CodingKeys: String, CodingKey {
        case rank, title, text, score
        case trajectoryID = "trajectory_id"
        case turnIndex = "turn_index"
        case docID = "doc_id"
    }

    public enum Columns {
        public static let trajectoryID = Column(CodingKeys.trajectoryID)
        public static let turnIndex = Column(CodingKeys.turnIndex)
        public static let rank = Column(CodingKeys.rank)
    }
}

/// A row of `retrieval_log`: one engine call as the rollout loop made it, so a replay can
/// answer the same query with the same hits without the engine.
public struct RetrievalLogRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "retrieval_log"
    public var id: Int64?
    public var runID: Int64
    public var step: Int?
    public var engineFingerprint: String
    public var query: String
    public var topK: Int
    /// Canonical JSON of the `[SearchHit]` returned, in rank order.
    public var hitsJSON: String
    /// Which part of the step made the call (schema v4).
    public var phase: RetrievalPhase

    public init(id: Int64? = nil, runID: Int64, step: Int?, engineFingerprint: String, query: String,
                topK: Int, hitsJSON: String, phase: RetrievalPhase = .rollout) {
        self.id = id
        self.runID = runID
        self.step = step
        self.engineFingerprint = engineFingerprint
        self.query = query
        self.topK = topK
        self.hitsJSON = hitsJSON
        self.phase = phase
    }

    enum CodingKeys: String, CodingKey {
        case id, step, query, phase
        case runID = "run_id"
        case engineFingerprint = "engine_fingerprint"
        case topK = "top_k"
        case hitsJSON = "hits_json"
    }

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let engineFingerprint = Column(CodingKeys.engineFingerprint)
        public static let query = Column(CodingKeys.query)
        public static let topK = Column(CodingKeys.topK)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The part of a training step an engine call served (`retrieval_log.phase`).
public enum RetrievalPhase: String, Codable, Hashable, Sendable, CaseIterable {
    /// The step's training rollouts (and an `eval` run's rollouts): what replay answers from.
    case rollout
    /// The greedy validation that ran in the same step.
    case validation
}
