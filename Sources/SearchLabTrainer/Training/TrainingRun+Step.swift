// One training step: rollouts, update, validation, storage, checkpoint.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabWorld

extension TrainingRun {
    /// What a step reports (metrics are also in the run database).
    public struct StepReport: Sendable {
        public var step: Int
        public var metrics: [String: Double]
        /// Metrics whose value was NaN or infinite (stored in `metric_nonfinite`): a divergence.
        public var nonFinite: [String] = []
        /// Whether the step's commit recorded a checkpoint.
        public var checkpointSaved = false
    }

    /// The questions of a step (see ``EpochBatches``: whole batches within each epoch).
    func questions(forStep step: Int) -> [WorldQuestion] {
        batches.indices(forStep: step).map { environment.train[$0] }
    }

    /// Whether the checkpoint after `completed` steps is saved: every `trainer.save_freq`
    /// steps (never when it is -1), and always after the run's last step.
    func savesCheckpoint(afterCompleting completed: Int) -> Bool {
        (config.saveFrequency > 0 && completed % config.saveFrequency == 0) || completed == config.totalTrainingSteps
    }

    /// Runs the next step and stores it. The pipeline:
    /// 1. validation before training (step 0, `trainer.val_before_train`);
    /// 2. rollouts, their engine calls recorded apart from validation's;
    /// 3. the update;
    /// 4. validation, when `trainer.test_freq` says so;
    /// 5. the checkpoint files, synced, when `trainer.save_freq` says so (or `forceCheckpoint`);
    /// 6. one commit: metrics, trajectories, rollout and validation calls, checkpoint record.
    /// A crash before 6 leaves nothing of the step; `--resume` redoes it.
    @discardableResult
    public func runStep(forceCheckpoint: Bool = false) async throws -> StepReport {
        let started = Date()
        let timer = PhaseTimer()
        let batchQuestions = questions(forStep: step)
        var rows: [Question] = []
        var groupIDs: [String] = []
        for q in batchQuestions {
            for sample in 0..<config.rollout.nAgent {
                rows.append(WorldPlans.question(q, sampleIndex: sample))
                groupIDs.append(BatchPreparation.groupID(questionID: q.id, sourceIndex: sourceIndex(of: q),
                                                         uidPerSourceIndex: config.uidPerSourceIndex))
            }
        }
        // Before any compute: a batch the store would refuse fails now, not after the step.
        let keys = rows.map { (questionID: $0.id, sampleIndex: $0.sampleIndex) }
        let currentStep = step
        try store.write { try $0.checkNewRows(keys, runID: runID, step: currentStep) }
        _ = engine.drain()
        _ = validationEngine.drain()

        // trainer.val_before_train: the untouched policy's validation is stored with step 0
        // (as Search-R1 logs it at global step 0), before that step's update.
        let validatesFirst = step == 0 && config.validateBeforeTraining
        let before = validatesFirst ? try await timer.measure("validation") { try await validate() } : [:]
        let rolloutStarted = Date()
        let ids = rows.indices.map { RandomStream.deriveKey(seed: config.seed, purpose: "trainer.rollout", indices: [UInt64(step), UInt64($0)]) }
        let digest = Checkpoint.weightsDigest(models.policy)
        let turnSampling = PolicyTurnGenerator.turnSettings(temperature: config.rollout.temperature, topP: config.rollout.topP,
                                                            maxNewTokens: config.rollout.maxResponseLength,
                                                            endOfText: models.tokenizer.endOfText)
        var generator = PolicyTurnGenerator(replicas: models.policyReplicas, tokenizer: models.tokenizer,
                                            settings: turnSampling, seed: config.seed)
        let loop = RolloutLoop(settings: config.rolloutSettings, tokenizer: models.tokenizer, engine: engine,
                               scoring: ScoringOptions(scheme: config.rewardScheme, weights: config.rewardWeights))
        let provenance = Provenance(seed: config.seed, checkpointDigest: digest, sampling: config.rolloutSampling,
                                    engineFingerprint: engine.fingerprint, step: step)
        let samples = try await loop.run(rows, sequenceIDs: ids, policy: &generator, provenance: { _ in provenance }, timer: timer)
        let rolloutCalls = engine.drain()
        let rolledOut = Date()
        let batch = RolloutBatch(samples: samples, groupIDs: groupIDs)
        let update = PolicyUpdate(config: config).update(batch, models: models, step: step, timer: timer)
        var metrics = update.metrics
        let updated = Date()
        metrics.merge(RolloutMetrics.compute(samples, batch: batch)) { $1 }
        if config.testFrequency > 0 && (step + 1) % config.testFrequency == 0 && !validatesFirst {
            metrics.merge(try await timer.measure("validation") { try await validate() }) { $1 }
        }
        metrics.merge(before) { $1 }
        let validationCalls = validationEngine.drain()

        var checkpoint: SavedCheckpoint?
        if forceCheckpoint || savesCheckpoint(afterCompleting: step + 1) {
            let completed = step + 1
            checkpoint = try timer.measure("checkpoint") { try saveCheckpointFiles(afterCompleting: completed) }
        }
        let prepared = try timer.measure("store_prepare") { try PreparedTrajectory.prepareAll(samples.map(\.trajectory)) }
        metrics.merge(timer.metrics) { $1 }
        metrics["timing/rollout_s"] = rolledOut.timeIntervalSince(rolloutStarted)
        metrics["timing/update_s"] = updated.timeIntervalSince(rolledOut)
        // Everything but the commit itself (which cannot time itself into its own rows).
        metrics["timing/step_s"] = Date().timeIntervalSince(started)
        let fingerprint = engine.fingerprint
        let calls = rolloutCalls.map { LoggedCall(engineFingerprint: fingerprint, query: $0.query, topK: $0.topK, hits: $0.hits, phase: .rollout) }
            + validationCalls.map { LoggedCall(engineFingerprint: fingerprint, query: $0.query, topK: $0.topK, hits: $0.hits, phase: .validation) }
        let views = Dictionary(uniqueKeysWithValues: update.tokenViews.enumerated().map { ($0, $1) })
        try store.commit(StepCommit(step: step, metrics: metrics, trajectories: prepared, calls: calls, checkpoint: checkpoint,
                                    tokenViews: views), runID: runID)
        step += 1
        return StepReport(step: step - 1, metrics: metrics, nonFinite: StoreWriter.nonFiniteNames(metrics),
                          checkpointSaved: checkpoint != nil)
    }

    /// The row's index within its data source (what upstream used as the GRPO uid).
    func sourceIndex(of q: WorldQuestion) -> Int {
        Int(q.id.split(separator: "_").last ?? "") ?? 0
    }

    /// Greedy evaluation on the test split (the first `data.val_batch_size` questions); its
    /// engine calls are kept for the step's commit (``validationEngine``).
    public func validate() async throws -> [String: Double] {
        let questions = environment.test.prefix(config.validationBatchSize).map { WorldPlans.question($0) }
        let settings = config.validationSettings
        let report = try await Evaluator.run(questions: Array(questions), replicas: models.policyReplicas,
                                             tokenizer: models.tokenizer,
                                             engine: validationEngine, settings: settings)
        return report.metrics
    }

    /// Saves a checkpoint outside a step (at a time limit) and records it at once.
    public func saveCheckpoint() throws {
        let saved = try saveCheckpointFiles(afterCompleting: step)
        try store.recordCheckpoint(runID: runID, step: saved.step, path: saved.path, digest: saved.digest)
    }

    /// Writes everything the next step reads — weights, AdamW moments, the KL controller —
    /// as `step-N/` (and `critic-step-N/` first), files and directories synced. The database
    /// does not know it yet: the caller records it (``StoreWriter/commit(_:runID:)``).
    func saveCheckpointFiles(afterCompleting completed: Int) throws -> SavedCheckpoint {
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let state = TrainerState(step: completed, rng: RandomStream(seed: config.seed, purpose: "trainer"),
                                 dataCursor: completed * config.trainBatchSize,
                                 extra: ["kl_controller": .string(try CanonicalJSON.string(models.klController))])
        if let critic = models.critic {
            _ = try Checkpoint.save(model: critic, tokenizer: models.tokenizer, optimizer: models.criticOptimizer,
                                    trainerState: state, to: checkpoints.appendingPathComponent("critic-step-\(completed)"))
        }
        let url = checkpoints.appendingPathComponent("step-\(completed)")
        let digest = try Checkpoint.save(model: models.policy, tokenizer: models.tokenizer, optimizer: models.actorOptimizer,
                                         trainerState: state, to: url)
        return SavedCheckpoint(step: completed, path: url.path, digest: digest)
    }
}

/// Search-R1's rollout metrics (`env/*`), reward and EM per data source.
enum RolloutMetrics {
    static func compute(_ samples: [RolloutSample], batch: RolloutBatch) -> [String: Double] {
        let trajectories = samples.map(\.trajectory)
        let n = Double(max(1, trajectories.count))
        func mean(_ f: (Trajectory) -> Double) -> Double { trajectories.map(f).reduce(0, +) / n }
        var out: [String: Double] = [
            "reward/mean": mean(\.outcome.reward),
            "em/mean": mean { $0.outcome.exactMatch ? 1 : 0 },
            "env/number_of_actions/mean": mean { Double($0.turns.count) },
            "env/number_of_actions/max": Double(trajectories.map(\.turns.count).max() ?? 0),
            "env/number_of_actions/min": Double(trajectories.map(\.turns.count).min() ?? 0),
            "env/finish_ratio": mean { $0.outcome.status == .finished ? 1 : 0 },
            "env/number_of_valid_action": mean { Double($0.outcome.validActionCount) },
            "env/ratio_of_valid_action": mean { Double($0.outcome.validActionCount) / Double(max(1, $0.turns.count)) },
            "env/number_of_valid_search": mean { Double($0.outcome.searchCount) },
            "grpo/all_equal_group_fraction": StepMetrics.allEqualGroupFraction(scores: batch.scores, groupIDs: batch.groupIDs),
        ]
        for source in Set(trajectories.map(\.question.dataSource)).sorted() {
            let rows = trajectories.filter { $0.question.dataSource == source }
            out["em/\(source)"] = Double(rows.filter(\.outcome.exactMatch).count) / Double(rows.count)
            out["env/number_of_valid_search/\(source)"] = Double(rows.map(\.outcome.searchCount).reduce(0, +)) / Double(rows.count)
        }
        return out
    }
}
