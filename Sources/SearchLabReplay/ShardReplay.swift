// Batch-faithful replay. Training decoded each turn's active rows in contiguous shards, one
// batch per worker, and a row's logits depend in their last bits on how many rows shared its
// matrix products (OpenBLAS picks other kernels and blockings for other row counts). Decoding
// a row alone could therefore report a `different_logits` divergence that never happened.
// So a replay re-runs the trajectory's whole rollout batch: every other row follows its own
// recording (turns and retrieval answers), which rebuilds exactly the active rows and contexts
// of each turn, and the replayed row is decoded inside the very shard training decoded it in.
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabTensor
import SearchLabTrainer

/// The rollout batch a stored trajectory was decoded in.
public struct ReplayBatch: Sendable {
    /// Every row of the rollout call, in batch order.
    public var rows: [StoredTrajectory]
    /// The sampling stream key of each row.
    public var sequenceIDs: [UInt64]
    /// The replayed trajectory's index in ``rows``.
    public var target: Int
    /// Workers that split each turn into shards (`trainer.threads`).
    public var workers: Int

    /// The batch of `setup`'s trajectory; nil when its run did not record how it split its
    /// batches (an `eval` run stored before eval kept its specification), so only the row
    /// itself can be decoded.
    static func load(_ setup: ReplaySetup, store: RunStore) throws -> ReplayBatch? {
        guard let config = setup.trainingConfig, setup.origin != .imported else { return nil }
        let ids = try store.trajectoryIDs(runID: setup.run.id!, step: setup.stored.record.step)
        // The trainer rolls a step out in one call; eval and validation in chunks of a fixed size.
        let span: Range<Int>
        switch setup.origin {
        case .training:
            span = ids.indices
        default:
            let size = config.validationSettings.batchSize
            let start = setup.batchRow / size * size
            span = start..<min(start + size, ids.count)
        }
        let rows = try store.trajectories(ids: Array(ids[span]))
        return ReplayBatch(rows: rows, sequenceIDs: span.map { setup.sequenceID(ofRow: $0)! },
                           target: setup.batchRow - span.lowerBound, workers: config.threads)
    }

    /// The rows' questions, for the rollout loop.
    var questions: [Question] { rows.map(\.trajectory.question) }

    /// The shard (a range of a turn's `count` requests) that held request `index` when
    /// `workers` split the turn, as ``PolicyTurnGenerator`` does.
    static func shard(containing index: Int, of count: Int, workers: Int) -> Range<Int> {
        WorkerPool(count: workers).shards(of: count).first { $0.contains(index) }!
    }
}

/// What the batch replay reports of the batch: how the replayed row was decoded.
public struct BatchReplayInfo: Codable, Hashable, Sendable {
    /// Rows in the rollout batch.
    public var rows: Int
    /// The replayed row's index in the batch.
    public var row: Int
    /// Workers that split each turn into shards.
    public var workers: Int
    /// Per turn the target was decoded in: the shard's rows, as indices into that turn's
    /// active rows (contiguous), and the number of rows then active.
    public var shards: [TurnShard]

    public struct TurnShard: Codable, Hashable, Sendable {
        public var turn: Int
        public var first: Int
        public var count: Int
        public var active: Int

        public init(turn: Int, first: Int, count: Int, active: Int) {
            self.turn = turn
            self.first = first
            self.count = count
            self.active = active
        }
    }
}

/// The policy of a batch replay: the replayed row's turns are decoded in its shard (or, with
/// `--verify`, checked by teacher forcing first); every other row returns its recorded turn.
struct ShardReplayPolicy: TurnPolicy {
    let recorded: [UInt64: [Turn]]
    let target: UInt64
    let workers: Int
    /// Decodes what it is given as one batch (one replica), as a worker decoded its shard.
    let generator: PolicyTurnGenerator
    /// `--verify`: checks the target's stored turn before decoding it.
    let teacherForcing: TeacherForcedPolicy?
    private(set) var generated: [Int: GeneratedTurn] = [:]
    private(set) var stats = VerifyStats()
    private(set) var shards: [BatchReplayInfo.TurnShard] = []

    init(batch: ReplayBatch, generator: PolicyTurnGenerator, verify: Bool) {
        var recorded: [UInt64: [Turn]] = [:]
        for (row, id) in zip(batch.rows, batch.sequenceIDs) { recorded[id] = row.trajectory.turns }
        self.recorded = recorded
        target = batch.sequenceIDs[batch.target]
        workers = batch.workers
        self.generator = generator
        teacherForcing = verify ? TeacherForcedPolicy(storedTurns: batch.rows[batch.target].trajectory.turns, generator: generator) : nil
    }

    mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn] {
        var out = try requests.map { request -> GeneratedTurn in
            request.sequenceID == target ? GeneratedTurn(text: "", tokens: []) : try recordedTurn(request)
        }
        guard let index = requests.firstIndex(where: { $0.sequenceID == target }) else { return out }
        let request = requests[index]
        if let check = teacherForcing {
            if let reason = check.check(request) {
                stats.regenerated.append(.init(turn: request.turn, reason: reason))
            } else {
                stats.teacherForcedTurns.append(request.turn)
                out[index] = try recordedTurn(request)
                generated[request.turn] = out[index]
                return out
            }
        }
        let shard = ReplayBatch.shard(containing: index, of: requests.count, workers: workers)
        shards.append(.init(turn: request.turn, first: shard.lowerBound, count: shard.count, active: requests.count))
        var decoder = generator
        out[index] = try decoder.generate(Array(requests[shard]))[index - shard.lowerBound]
        generated[request.turn] = out[index]
        return out
    }

    /// A row's turn as recorded: what keeps the rest of the batch on its recorded path.
    func recordedTurn(_ request: TurnRequest) throws -> GeneratedTurn {
        guard let turns = recorded[request.sequenceID], request.turn < turns.count else {
            throw SearchLabError("the recording of the batch has no turn \(request.turn) for one of its rows; the run's trajectories are incomplete")
        }
        let raw = turns[request.turn].rawGeneration
        return GeneratedTurn(text: raw, tokens: generator.sampler.tokenizer!.encode(raw))
    }
}

/// The recorded engine of a batch replay. A row's search is answered with the logged answer
/// to its query whose documents are the ones that row was shown in that turn (engines such as
/// `random` and `oracle` answer one query differently for different rows); when the log holds
/// answers to the query but none shows those documents, the first one, so that a recording
/// whose trajectory and log disagree replays as a retrieval divergence; when the log holds
/// none (a run that logged nothing), the documents the row was shown. A query the row did not
/// ask then (the replayed row after a divergence) is answered as ``RecordedAnswers`` does.
struct RecordedRowAnswers: RowAwareSearchEngine {
    let rows: [Trajectory]
    let logged: [String: [[SearchHit]]]
    let byQuery: RecordedAnswers
    var fingerprint: String { byQuery.fingerprint }

    /// `engineFingerprint`: the engine the rows' provenance names (its calls are the ones meant).
    init(rows: [Trajectory], calls: [RecordedRetrieval], engineFingerprint: String?, byQuery: RecordedAnswers) {
        self.rows = rows
        self.byQuery = byQuery
        var logged: [String: [[SearchHit]]] = [:]
        for call in calls where engineFingerprint == nil || call.engineFingerprint == engineFingerprint {
            logged[call.query, default: []].append(call.hits)
        }
        self.logged = logged
    }

    func search(_ queries: [String], topK: Int) async throws -> [[SearchHit]] {
        try await byQuery.search(queries, topK: topK)
    }

    func search(_ queries: [String], rows asking: [Int], turn: Int, topK: Int) async throws -> [[SearchHit]] {
        var answers: [[SearchHit]] = []
        for (query, row) in zip(queries, asking) {
            let turns = rows[row].turns
            guard turn < turns.count, turns[turn].action.kind == .search, turns[turn].action.content == query,
                  let shown = turns[turn].observation, shown.kind == .information else {
                answers.append(try await byQuery.search([query], topK: topK)[0])
                continue
            }
            let ids = shown.documents.map(\.id)
            let candidates = logged[query] ?? []
            let answer = candidates.first { $0.prefix(ids.count).map { Optional($0.document.id) } == ids } ?? candidates.first
                ?? shown.documents.map(RecordedAnswers.hit)
            answers.append(Array(answer.prefix(topK)))
        }
        return answers
    }
}
