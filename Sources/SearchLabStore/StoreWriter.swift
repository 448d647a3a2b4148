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
        let text = try statements.prepared(\.text, db, """
            INSERT INTO trajectory_text (trajectory_id, prompt, trailing, malformations_json, canonical_json)
            VALUES (?, ?, ?, ?, ?)
            """)
        text.bind(id); text.bind(trajectory.prompt); text.bind(trajectory.trailing)
        text.bind(prepared.malformationsJSON); text.bind(prepared.canonicalJSON)
        try text.run()
        for (turn, row) in zip(trajectory.turns, prepared.turns) { try insert(turn, row, trajectoryID: id) }
        return id
    }

    func insertRow(_ prepared: PreparedTrajectory, runID: Int64, step: Int) throws -> Int64 {
        let s = try statements.prepared(\.trajectory, db, """
            INSERT INTO trajectory (run_id, step, sample_index, hops, exact_match, format_valid, retrieval_hit,
              reward, search_count, valid_action_count, turn_count, search_actions, invalid_actions,
              repeated_queries, answer_retrieved, searches_after_hit, status, data_source, question_id,
              group_id, extracted_answer, golden_answers_json, question, content_digest, provenance_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let o = prepared.trajectory.outcome, q = prepared.trajectory.question, stats = prepared.stats
        s.bind(runID); s.bind(step); s.bind(q.sampleIndex); s.bind(stats.hops)
        s.bind(o.exactMatch); s.bind(o.formatValid); s.bind(o.retrievalHit); s.bind(o.reward)
        s.bind(o.searchCount); s.bind(o.validActionCount); s.bind(stats.turnCount); s.bind(stats.searchActions)
        s.bind(stats.invalidActions); s.bind(stats.repeatedQueries); s.bind(stats.firstHitTurn != nil); s.bind(stats.searchesAfterHit)
        s.bind(o.status.rawValue); s.bind(q.dataSource); s.bind(q.id); s.bind(q.groupID); s.bind(o.extractedAnswer)
        s.bind(prepared.goldenAnswersJSON); s.bind(q.text); s.bind(prepared.digest); s.bind(prepared.provenanceJSON)
        do {
            try s.run()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw SearchLabError("trajectory for question \"\(q.id)\" sample \(q.sampleIndex) at step \(step) is already stored in this run")
        }
        return db.lastInsertedRowID
    }

    func insert(_ turn: Turn, _ row: PreparedTurn, trajectoryID: Int64) throws {
        let s = try statements.prepared(\.turn, db, """
            INSERT INTO turn (trajectory_id, turn_index, raw_generation, text, action_kind, action_content,
              observation_kind, observation_text, observation_truncated, generated_tokens, kept_tokens,
              observation_tokens, malformations_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let observation = turn.observation
        s.bind(trajectoryID); s.bind(turn.index); s.bind(row.rawGeneration); s.bind(turn.text)
        s.bind(turn.action.kind.rawValue); s.bind(turn.action.content); s.bind(observation?.kind.rawValue)
        s.bind(row.observationText); s.bind(observation?.truncated ?? false)
        s.bind(turn.tokens?.generated); s.bind(turn.tokens?.kept); s.bind(turn.tokens?.observation)
        s.bind(row.malformationsJSON)
        try s.run()
        guard let documents = observation?.documents, !documents.isEmpty else { return }
        let d = try statements.prepared(\.document, db, """
            INSERT INTO retrieved_document (trajectory_id, turn_index, rank, doc_id, title, text, score)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        // The column is the position in the list shown, which is unique even when a
        // hand-written trajectory repeats a rank (such a trajectory also keeps its JSON).
        for (position, document) in documents.enumerated() {
            d.bind(trajectoryID); d.bind(turn.index); d.bind(position + 1); d.bind(document.id)
            d.bind(document.title); d.bind(document.text); d.bind(document.score)
            try d.run()
        }
    }
}

/// Statements a write transaction prepares once (see ``StoreWriter/statements``).
final class HotStatements {
    var trajectory: RowInsert?
    var text: RowInsert?
    var turn: RowInsert?
    var document: RowInsert?
    /// The (run, step) whose `step` row this transaction already ensured.
    var ensuredStep: (runID: Int64, step: Int)?

    func prepared(_ slot: ReferenceWritableKeyPath<HotStatements, RowInsert?>, _ db: Database, _ sql: String) throws -> RowInsert {
        if let statement = self[keyPath: slot] { return statement }
        let statement = try RowInsert(db, sql: sql)
        self[keyPath: slot] = statement
        return statement
    }
}
