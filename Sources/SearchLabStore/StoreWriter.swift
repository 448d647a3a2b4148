// Writing inside one transaction, through prepared statements (the import hot path).
import Foundation
import GRDB
import SearchLabCore

/// What a new run records about itself.
public struct RunSpec: Hashable, Sendable {
    public var name: String
    /// `trainer`, or `import:<format>`.
    public var source: String
    /// The run's configuration as canonical JSON.
    public var configJSON: String
    public var seed: UInt64?
    public var codeVersion: String
    public var worldDigest: String?

    public init(name: String, source: String, configJSON: String = "{}", seed: UInt64? = nil,
                codeVersion: String, worldDigest: String? = nil) {
        self.name = name
        self.source = source
        self.configJSON = configJSON
        self.seed = seed
        self.codeVersion = codeVersion
        self.worldDigest = worldDigest
    }

    /// Run names appear in public trajectory ids (`run:step:question:sample`), so they are
    /// limited to letters, digits, `.`, `_` and `-`.
    public static func validate(name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
        }
        guard !name.isEmpty, allowed else {
            throw SearchLabError("run name \"\(name)\" must be non-empty and use only letters, digits, '.', '_' and '-'")
        }
    }
}

/// Write access within one transaction; get one from ``RunStore/write(_:)``.
public struct StoreWriter {
    public let db: Database
    /// The insert statements of the hot path, prepared once per transaction (GRDB's
    /// statement cache would hash each long SQL text on every call).
    let statements = HotStatements()

    init(db: Database) { self.db = db }

    /// Creates a run. - Throws: ``SearchLabError`` when the name is taken or invalid.
    public func createRun(_ spec: RunSpec) throws -> RunRecord {
        try RunSpec.validate(name: spec.name)
        if try RunRecord.filter(RunRecord.Columns.name == spec.name).fetchCount(db) > 0 {
            throw SearchLabError("a run named \"\(spec.name)\" already exists; choose another name")
        }
        let order = (try Int64.fetchOne(db, sql: "SELECT MAX(created_order) FROM run") ?? 0) + 1
        var run = RunRecord(name: spec.name, source: spec.source, configJSON: spec.configJSON,
                            seed: spec.seed.map { Int64(bitPattern: $0) }, codeVersion: spec.codeVersion,
                            worldDigest: spec.worldDigest, createdOrder: order)
        try run.insert(db)
        return run
    }

    /// The run called `name`, if any.
    public func run(named name: String) throws -> RunRecord? {
        try RunRecord.filter(RunRecord.Columns.name == name).fetchOne(db)
    }

    /// Adds the step row a trajectory or metric refers to, if missing.
    public func ensureStep(runID: Int64, step: Int) throws {
        // Consecutive inserts of one step need the row only once.
        if statements.ensuredStep?.runID == runID && statements.ensuredStep?.step == step { return }
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO step (run_id, step) VALUES (?, ?)")
        try statement.execute(arguments: [runID, step])
        statements.ensuredStep = (runID, step)
    }

    /// Stores metrics for a step (replacing same-named values), in name order.
    public func addMetrics(runID: Int64, step: Int, _ metrics: [String: Double]) throws {
        try ensureStep(runID: runID, step: step)
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO metric (run_id, step, name, value) VALUES (?, ?, ?, ?)")
        for name in metrics.keys.sorted() {
            try statement.execute(arguments: [runID, step, name, metrics[name]!])
        }
    }

    /// Records one engine call for later replay.
    public func logRetrieval(runID: Int64, step: Int?, engineFingerprint: String, query: String,
                             topK: Int, hits: [SearchHit]) throws {
        var record = RetrievalLogRecord(runID: runID, step: step, engineFingerprint: engineFingerprint,
                                        query: query, topK: topK, hitsJSON: try CanonicalJSON.string(hits))
        try record.insert(db)
    }

    /// The next free sample index of `question` at `step` (for imports that do not say).
    public func nextSampleIndex(runID: Int64, step: Int, questionID: String) throws -> Int {
        let statement = try db.cachedStatement(sql:
            "SELECT MAX(sample_index) FROM trajectory WHERE run_id = ? AND step = ? AND question_id = ?")
        return (try Int.fetchOne(statement, arguments: [runID, step, questionID])).map { $0 + 1 } ?? 0
    }

    /// Stores a trajectory with its turns and documents.
    /// - Returns: its store id.
    /// - Throws: ``SearchLabError`` when the same run/step/question/sample is already stored.
    @discardableResult
    public func insert(_ trajectory: Trajectory, runID: Int64, step: Int) throws -> Int64 {
        try insert(PreparedTrajectory(trajectory), runID: runID, step: step)
    }

    /// Stores a trajectory prepared beforehand (see ``PreparedTrajectory/prepareAll(_:)``).
    @discardableResult
    public func insert(_ prepared: PreparedTrajectory, runID: Int64, step: Int) throws -> Int64 {
        try ensureStep(runID: runID, step: step)
        let trajectory = prepared.trajectory
        let id = try insertRow(prepared, runID: runID, step: step)
        try statements.prepared(\.text, db, "INSERT INTO trajectory_text (trajectory_id, prompt, trailing, canonical_json) VALUES (?, ?, ?, ?)")
            .execute(arguments: [id, trajectory.prompt, trajectory.trailing, prepared.canonicalJSON])
        for turn in trajectory.turns { try insert(turn, trajectoryID: id) }
        return id
    }

    func insertRow(_ prepared: PreparedTrajectory, runID: Int64, step: Int) throws -> Int64 {
        let t = prepared.trajectory, stats = prepared.stats
        let statement = try statements.prepared(\.trajectory, db, """
            INSERT INTO trajectory (run_id, step, sample_index, hops, exact_match, format_valid, retrieval_hit,
              reward, search_count, valid_action_count, turn_count, search_actions, invalid_actions,
              repeated_queries, answer_retrieved, searches_after_hit, status, data_source, question_id,
              group_id, extracted_answer, golden_answers_json, question, content_digest, provenance_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let o = t.outcome, q = t.question
        let arguments: [(any DatabaseValueConvertible)?] = [
            runID, step, q.sampleIndex, stats.hops, o.exactMatch, o.formatValid, o.retrievalHit,
            o.reward, o.searchCount, o.validActionCount, stats.turnCount, stats.searchActions,
            stats.invalidActions, stats.repeatedQueries, stats.firstHitTurn != nil, stats.searchesAfterHit,
            o.status.rawValue, q.dataSource, q.id, q.groupID, o.extractedAnswer,
            prepared.goldenAnswersJSON, q.text, prepared.digest, prepared.provenanceJSON,
        ]
        do {
            try statement.execute(arguments: StatementArguments(arguments))
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw SearchLabError("trajectory for question \"\(q.id)\" sample \(q.sampleIndex) at step \(step) is already stored in this run")
        }
        return db.lastInsertedRowID
    }

    func insert(_ turn: Turn, trajectoryID: Int64) throws {
        let statement = try statements.prepared(\.turn, db, """
            INSERT INTO turn (trajectory_id, turn_index, raw_generation, text, action_kind, action_content,
              observation_kind, observation_text, observation_truncated, generated_tokens, kept_tokens,
              observation_tokens, malformations_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let observation = turn.observation
        let arguments: [(any DatabaseValueConvertible)?] = [
            trajectoryID, turn.index, turn.rawGeneration, turn.text, turn.action.kind.rawValue,
            turn.action.content, observation?.kind.rawValue, observation?.text, observation?.truncated ?? false,
            turn.tokens?.generated, turn.tokens?.kept, turn.tokens?.observation,
            turn.malformations.isEmpty ? "[]" : TrajectoryJSONWriter.string(turn.malformations),
        ]
        try statement.execute(arguments: StatementArguments(arguments))
        guard let documents = observation?.documents, !documents.isEmpty else { return }
        let documentStatement = try statements.prepared(\.document, db, """
            INSERT INTO retrieved_document (trajectory_id, turn_index, rank, doc_id, title, text, score)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        // The column is the position in the list shown, which is unique even when a
        // hand-written trajectory repeats a rank.
        for (position, document) in documents.enumerated() {
            try documentStatement.execute(arguments: [trajectoryID, turn.index, position + 1, document.id,
                                                      document.title, document.text, document.score])
        }
    }
}

/// Statements a write transaction prepares once (see ``StoreWriter/statements``).
final class HotStatements {
    var trajectory: Statement?
    var text: Statement?
    var turn: Statement?
    var document: Statement?
    /// The (run, step) whose `step` row this transaction already ensured.
    var ensuredStep: (runID: Int64, step: Int)?

    func prepared(_ slot: ReferenceWritableKeyPath<HotStatements, Statement?>, _ db: Database, _ sql: String) throws -> Statement {
        if let statement = self[keyPath: slot] { return statement }
        let statement = try db.makeStatement(sql: sql)
        self[keyPath: slot] = statement
        return statement
    }
}
