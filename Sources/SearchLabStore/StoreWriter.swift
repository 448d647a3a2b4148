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
    ///
    /// A NaN or infinite value (a diverged run) goes to `metric_nonfinite` as text instead of
    /// `metric`, whose values are finite; see ``nonFiniteNames(_:)``.
    public func addMetrics(runID: Int64, step: Int, _ metrics: [String: Double]) throws {
        try ensureStep(runID: runID, step: step)
        let finite = try db.cachedStatement(sql: "INSERT OR REPLACE INTO metric (run_id, step, name, value) VALUES (?, ?, ?, ?)")
        let other = try db.cachedStatement(sql: "INSERT OR REPLACE INTO metric_nonfinite (run_id, step, name, value) VALUES (?, ?, ?, ?)")
        for name in metrics.keys.sorted() {
            let value = metrics[name]!
            if value.isFinite {
                try finite.execute(arguments: [runID, step, name, value])
            } else {
                try other.execute(arguments: [runID, step, name, value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")])
            }
        }
    }

    /// The names of `metrics` whose values are NaN or infinite, sorted: what a trainer warns about.
    public static func nonFiniteNames(_ metrics: [String: Double]) -> [String] {
        metrics.filter { !$0.value.isFinite }.keys.sorted()
    }

    /// Records one engine call for later replay.
    public func logRetrieval(runID: Int64, step: Int?, engineFingerprint: String, query: String,
                             topK: Int, hits: [SearchHit], phase: RetrievalPhase = .rollout) throws {
        var record = RetrievalLogRecord(runID: runID, step: step, engineFingerprint: engineFingerprint,
                                        query: query, topK: topK, hitsJSON: try CanonicalJSON.string(hits), phase: phase)
        try record.insert(db)
    }

    /// Records a checkpoint: the weights the run has after `step` steps, saved at `path`.
    /// Its files must already be on disk (and synced): the record is what `--resume` trusts.
    public func recordCheckpoint(runID: Int64, step: Int, path: String, digest: String) throws {
        try CheckpointRecord(runID: runID, step: step, path: path, digest: digest).save(db)
    }

    /// Stores a whole training step: its metrics, trajectories, engine calls and (when one
    /// was saved) the checkpoint that follows it.
    /// - Returns: the store ids of the trajectories, in order.
    @discardableResult
    public func commit(_ step: StepCommit, runID: Int64) throws -> [Int64] {
        try ensureStep(runID: runID, step: step.step)
        try addMetrics(runID: runID, step: step.step, step.metrics)
        let ids = try insert(contentsOf: step.trajectories, step: step.step, runID: runID)
        for (index, view) in step.tokenViews.sorted(by: { $0.key < $1.key }) { try addTokenView(view, trajectoryID: ids[index]) }
        for call in step.calls {
            try logRetrieval(runID: runID, step: step.step, engineFingerprint: call.engineFingerprint, query: call.query,
                             topK: call.topK, hits: call.hits, phase: call.phase)
        }
        if let checkpoint = step.checkpoint {
            try recordCheckpoint(runID: runID, step: checkpoint.step, path: checkpoint.path, digest: checkpoint.digest)
        }
        return ids
    }

    /// Stores the token view of a stored trajectory (``StepCommit/tokenViews`` does it for a step's).
    public func addTokenView(_ view: TokenView, trajectoryID: Int64) throws {
        try TokenViewRows.insert(view, trajectoryID: trajectoryID, db)
    }

    /// Fails unless none of `rows` (question id, sample index) repeats or is already stored at
    /// `step`: the check a trainer makes before spending a step's compute.
    public func checkNewRows(_ rows: [(questionID: String, sampleIndex: Int)], runID: Int64, step: Int) throws {
        var seen = Set<String>()
        for row in rows where !seen.insert("\(row.sampleIndex) \(row.questionID)").inserted {
            throw SearchLabError("step \(step)'s batch holds question \"\(row.questionID)\" sample \(row.sampleIndex) twice")
        }
        let stored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trajectory WHERE run_id = ? AND step = ?",
                                      arguments: [runID, step]) ?? 0
        if stored > 0 {
            throw SearchLabError("step \(step) of this run already has \(stored) stored trajectories; resume the run with --resume")
        }
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
        try insert(contentsOf: [prepared], steps: [step], runID: runID)[0]
    }

    /// Stores trajectories in order, `prepared[i]` at `steps[i]`, with their turns and
    /// documents; the rows go in with multi-row INSERTs of ``chunk`` trajectories (the import
    /// and trainer hot path). The result is the same as inserting them one by one.
    /// - Returns: their store ids, ascending, in input order.
    /// - Throws: ``SearchLabError`` naming the first trajectory whose run/step/question/sample
    ///   is already stored (or repeated in the batch).
    @discardableResult
    public func insert(contentsOf prepared: [PreparedTrajectory], steps: [Int], runID: Int64) throws -> [Int64] {
        precondition(prepared.count == steps.count, "one step per trajectory")
        var ids: [Int64] = []
        ids.reserveCapacity(prepared.count)
        var start = 0
        while start < prepared.count {
            let end = min(start + Self.chunk, prepared.count)
            try insertChunk(prepared, steps: steps, start..<end, runID: runID, ids: &ids)
            start = end
        }
        return ids
    }

    /// Stores trajectories all of one step (a training step's batch); see
    /// ``insert(contentsOf:steps:runID:)``.
    @discardableResult
    public func insert(contentsOf prepared: [PreparedTrajectory], step: Int, runID: Int64) throws -> [Int64] {
        try insert(contentsOf: prepared, steps: Array(repeating: step, count: prepared.count), runID: runID)
    }

    /// Trajectories per multi-row statement: beyond ~32 the per-row cost stops falling, and a
    /// statement's values must stay under SQLite's bound-parameter limit.
    static let chunk = 32

    /// Rows `range` of `prepared`, parents before children so every foreign key holds when its
    /// row goes in. Values are read in place (copying a `Trajectory` retains each of its strings).
    func insertChunk(_ prepared: [PreparedTrajectory], steps: [Int], _ range: Range<Int>, runID: Int64, ids: inout [Int64]) throws {
        for i in range { try ensureStep(runID: runID, step: steps[i]) }
        // The ids SQLite would pick one by one (largest + 1), given explicitly so the turn and
        // document rows can refer to them before the chunk's statement has run.
        // Past any id handed out before, deleted ones included (``RunStore/discardSteps``).
        if statements.nextTrajectoryID == nil {
            statements.nextTrajectoryID = try Int64.fetchOne(db, sql: """
                SELECT MAX(COALESCE((SELECT MAX(id) FROM trajectory), 0),
                           COALESCE((SELECT high FROM id_high_water WHERE table_name = 'trajectory'), 0)) + 1
                """) ?? 1
        }
        let first = statements.nextTrajectoryID!
        func id(_ i: Int) -> Int64 { first + Int64(i - range.lowerBound) }
        do {
            try statements.trajectory.run(db, rows: range.count) { s, r in
                let i = range.lowerBound + r
                bindTrajectory(s, prepared[i], id: id(i), runID: runID, step: steps[i])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw try duplicate(in: prepared[range], steps: steps[range], runID: runID, storedBefore: first)
        }
        try statements.text.run(db, rows: range.count) { s, r in
            let i = range.lowerBound + r
            s.bind(id(i)); s.bind(prepared[i].trajectory.prompt); s.bind(prepared[i].trajectory.trailing)
            s.bind(prepared[i].malformationsJSON); s.bind(prepared[i].canonicalJSON)
        }
        // (trajectory, turn) and (trajectory, turn, document) positions, as plain integers.
        var turns: [(i: Int, t: Int)] = [], documents: [(i: Int, t: Int, d: Int)] = []
        for i in range {
            for (t, turn) in prepared[i].trajectory.turns.enumerated() {
                turns.append((i, t))
                for d in 0..<(turn.observation?.documents.count ?? 0) { documents.append((i, t, d)) }
            }
        }
        try statements.turn.run(db, rows: turns.count) { s, r in
            let (i, t) = turns[r]
            bindTurn(s, prepared[i].trajectory.turns[t], prepared[i].turns[t], trajectoryID: id(i))
        }
        try statements.document.run(db, rows: documents.count) { s, r in
            let (i, t, d) = documents[r]
            let turn = prepared[i].trajectory.turns[t]
            // The `rank` column is the position in the list shown, which is unique even when a
            // hand-written trajectory repeats a rank (such a trajectory also keeps its JSON).
            bindDocument(s, turn.observation!.documents[d], trajectoryID: id(i), turnIndex: turn.index, position: d + 1)
        }
        for i in range { ids.append(id(i)) }
        statements.nextTrajectoryID = first + Int64(range.count)
    }

    func bindTrajectory(_ s: RowInsert, _ prepared: PreparedTrajectory, id: Int64, runID: Int64, step: Int) {
        let o = prepared.trajectory.outcome, q = prepared.trajectory.question, stats = prepared.stats
        s.bind(id); s.bind(runID); s.bind(step); s.bind(q.sampleIndex); s.bind(stats.hops)
        s.bind(o.exactMatch); s.bind(o.formatValid); s.bind(o.retrievalHit); s.bind(o.reward)
        s.bind(o.searchCount); s.bind(o.validActionCount); s.bind(stats.turnCount); s.bind(stats.searchActions)
        s.bind(stats.invalidActions); s.bind(stats.repeatedQueries); s.bind(stats.firstHitTurn != nil); s.bind(stats.searchesAfterHit)
        s.bind(o.status.rawValue); s.bind(q.dataSource); s.bind(q.id); s.bind(q.groupID); s.bind(o.extractedAnswer)
        s.bind(prepared.goldenAnswersJSON); s.bind(q.text); s.bind(prepared.digest); s.bind(prepared.provenanceJSON)
    }

    func bindTurn(_ s: RowInsert, _ turn: Turn, _ row: PreparedTurn, trajectoryID: Int64) {
        let observation = turn.observation
        s.bind(trajectoryID); s.bind(turn.index); s.bind(row.rawGeneration); s.bind(turn.text)
        s.bind(turn.action.kind.rawValue); s.bind(turn.action.content); s.bind(observation?.kind.rawValue)
        s.bind(row.observationText); s.bind(observation?.truncated ?? false)
        s.bind(turn.tokens?.generated); s.bind(turn.tokens?.kept); s.bind(turn.tokens?.observation)
        s.bind(row.malformationsJSON)
    }

    func bindDocument(_ s: RowInsert, _ document: RetrievedDocument, trajectoryID: Int64, turnIndex: Int, position: Int) {
        s.bind(trajectoryID); s.bind(turnIndex); s.bind(position); s.bind(document.id)
        s.bind(document.title); s.bind(document.text); s.bind(document.score)
    }

    /// The error for a chunk that broke `UNIQUE (run_id, step, question_id, sample_index)`:
    /// its first trajectory already stored, or repeated within the chunk. Rows the failed
    /// statement did insert (ids from `storedBefore` on) are still there until the rollback,
    /// so they do not count as stored.
    func duplicate(in prepared: ArraySlice<PreparedTrajectory>, steps: ArraySlice<Int>, runID: Int64,
                   storedBefore: Int64) throws -> SearchLabError {
        var seen = Set<[String]>()
        for (item, step) in zip(prepared, steps) {
            let q = item.trajectory.question
            let stored = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM trajectory
                  WHERE run_id = ? AND step = ? AND question_id = ? AND sample_index = ? AND id < ?)
                """, arguments: [runID, step, q.id, q.sampleIndex, storedBefore]) ?? false
            if stored || !seen.insert([String(step), q.id, String(q.sampleIndex)]).inserted {
                return SearchLabError("trajectory for question \"\(q.id)\" sample \(q.sampleIndex) at step \(step) is already stored in this run")
            }
        }
        return SearchLabError("a trajectory of this batch is already stored in this run")
    }
}

/// Statements a write transaction prepares once (see ``StoreWriter/statements``).
final class HotStatements {
    let trajectory = MultiRowInsert(table: "trajectory", columns: [
        "id", "run_id", "step", "sample_index", "hops", "exact_match", "format_valid", "retrieval_hit",
        "reward", "search_count", "valid_action_count", "turn_count", "search_actions", "invalid_actions",
        "repeated_queries", "answer_retrieved", "searches_after_hit", "status", "data_source", "question_id",
        "group_id", "extracted_answer", "golden_answers_json", "question", "content_digest", "provenance_json",
    ], maxRows: StoreWriter.chunk)
    let text = MultiRowInsert(table: "trajectory_text", columns: [
        "trajectory_id", "prompt", "trailing", "malformations_json", "canonical_json",
    ], maxRows: StoreWriter.chunk)
    let turn = MultiRowInsert(table: "turn", columns: [
        "trajectory_id", "turn_index", "raw_generation", "text", "action_kind", "action_content",
        "observation_kind", "observation_text", "observation_truncated", "generated_tokens", "kept_tokens",
        "observation_tokens", "malformations_json",
    ], maxRows: 64)
    let document = MultiRowInsert(table: "retrieved_document", columns: [
        "trajectory_id", "turn_index", "rank", "doc_id", "title", "text", "score",
    ], maxRows: 128)
    /// The (run, step) whose `step` row this transaction already ensured.
    var ensuredStep: (runID: Int64, step: Int)?
    /// The id the next trajectory of this transaction gets.
    var nextTrajectoryID: Int64?
}
