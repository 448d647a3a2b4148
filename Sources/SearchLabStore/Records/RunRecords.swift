// Records of the run-level tables: run, step, metric, checkpoint.
import GRDB

/// A row of `run`: one training run or one import.
public struct RunRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"

    public var id: Int64?
    /// Unique, and part of every public trajectory id, so it cannot contain `:`.
    public var name: String
    /// `trainer`, or `import:<format>` for imported rollouts.
    public var source: String
    /// Canonical JSON of the run's configuration.
    public var configJSON: String
    public var seed: Int64?
    public var codeVersion: String
    public var worldDigest: String?
    /// Creation order (1, 2, …): a deterministic stand-in for a timestamp.
    public var createdOrder: Int64

    public init(id: Int64? = nil, name: String, source: String, configJSON: String, seed: Int64?,
                codeVersion: String, worldDigest: String?, createdOrder: Int64) {
        self.id = id
        self.name = name
        self.source = source
        self.configJSON = configJSON
        self.seed = seed
        self.codeVersion = codeVersion
        self.worldDigest = worldDigest
        self.createdOrder = createdOrder
    }

    enum CodingKeys: String, CodingKey {
        case id, name, source, seed
        case configJSON = "config_json"
        case codeVersion = "code_version"
        case worldDigest = "world_digest"
        case createdOrder = "created_order"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let name = Column(CodingKeys.name)
        public static let createdOrder = Column(CodingKeys.createdOrder)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `step`: a training step (or the step an imported rollout came from).
public struct StepRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "step"
    public var runID: Int64
    public var step: Int

    public init(runID: Int64, step: Int) {
        self.runID = runID
        self.step = step
    }

    enum CodingKeys: String, CodingKey {
        case step
        case runID = "run_id"
    }

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let step = Column(CodingKeys.step)
    }
}

/// A row of `metric`: one named scalar logged at one step (e.g. `env/finish_ratio`).
public struct MetricRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "metric"
    public var runID: Int64
    public var step: Int
    public var name: String
    public var value: Double

    public init(runID: Int64, step: Int, name: String, value: Double) {
        self.runID = runID
        self.step = step
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case step, name, value
        case runID = "run_id"
    }

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let step = Column(CodingKeys.step)
        public static let name = Column(CodingKeys.name)
        public static let value = Column(CodingKeys.value)
    }
}

/// A row of `checkpoint`: policy weights saved at a step, by path and SHA-256.
public struct CheckpointRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "checkpoint"
    public var runID: Int64
    public var step: Int
    public var path: String
    public var digest: String

    public init(runID: Int64, step: Int, path: String, digest: String) {
        self.runID = runID
        self.step = step
        self.path = path
        self.digest = digest
    }

    enum CodingKeys: String, CodingKey {
        case step, path, digest
        case runID = "run_id"
    }

    public enum Columns {
        public static let runID = Column(CodingKeys.runID)
        public static let step = Column(CodingKeys.step)
    }
}
