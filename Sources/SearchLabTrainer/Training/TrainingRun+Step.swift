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
    }

    var rolloutSettings: RolloutSettings {
        RolloutSettings(maxTurns: config.rollout.searchTurns, maxObservationTokens: config.rollout.maxObservationLength,
                        contextLimit: config.rollout.maxPromptLength, maxStartTokens: config.rollout.maxStartLength,
                        topK: config.rollout.topK)
    }

    var sampling: SearchLabCore.SamplingSettings {
        SearchLabCore.SamplingSettings(temperature: config.rollout.temperature, topP: config.rollout.topP,
                         maxTokensPerTurn: config.rollout.maxResponseLength, maxTurns: config.rollout.searchTurns,
                         maxObservationTokens: config.rollout.maxObservationLength, contextLimit: config.rollout.maxPromptLength)
    }

    /// The questions of a step: verl's shuffled loader, each epoch a seeded permutation.
    func questions(forStep step: Int) -> [WorldQuestion] {
        let all = environment.train
        return (0..<config.trainBatchSize).map { k in
            let global = step * config.trainBatchSize + k
            var order = Array(all.indices)
            var random = RandomStream(seed: config.seed, purpose: "trainer.data-order", UInt64(global / all.count))
            order.shuffle(using: &random)
            return all[order[global % all.count]]
        }
    }

    /// Runs the next step and stores it; checkpoints when the save frequency says so.
    @discardableResult
    public func runStep() async throws -> StepReport {
        let started = Date()
        let timer = PhaseTimer()
        // trainer.val_before_train: the untouched policy's validation is stored with step 0
        // (as Search-R1 logs it at global step 0), before that step's update.
        let validatesFirst = step == 0 && config.validateBeforeTraining
        let before = validatesFirst ? try await timer.measure("validation") { try await validate() } : [:]
        let rolloutStarted = Date()
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
        let ids = rows.indices.map { RandomStream.deriveKey(seed: config.seed, purpose: "trainer.rollout", indices: [UInt64(step), UInt64($0)]) }
        let digest = Checkpoint.weightsDigest(models.policy)
        let turnSampling = PolicyTurnGenerator.turnSettings(temperature: config.rollout.temperature, topP: config.rollout.topP,
                                                            maxNewTokens: config.rollout.maxResponseLength,
                                                            endOfText: models.tokenizer.endOfText)
        var generator = PolicyTurnGenerator(replicas: models.policyReplicas, tokenizer: models.tokenizer,
                                            settings: turnSampling, seed: config.seed)
        let loop = RolloutLoop(settings: rolloutSettings, tokenizer: models.tokenizer, engine: engine,
                               scoring: ScoringOptions(scheme: config.rewardScheme, weights: config.rewardWeights))
        let provenance = Provenance(seed: config.seed, checkpointDigest: digest, sampling: sampling,
                                    engineFingerprint: engine.fingerprint, step: step)
        let samples = try await loop.run(rows, sequenceIDs: ids, policy: &generator, provenance: { _ in provenance }, timer: timer)
        let rolledOut = Date()
        let batch = RolloutBatch(samples: samples, groupIDs: groupIDs)
        var metrics = PolicyUpdate(config: config).run(batch, models: models, step: step, timer: timer)
        let updated = Date()
        metrics.merge(RolloutMetrics.compute(samples, batch: batch)) { $1 }
        if config.testFrequency > 0 && (step + 1) % config.testFrequency == 0 && !validatesFirst {
            metrics.merge(try await timer.measure("validation") { try await validate() }) { $1 }
        }
        metrics.merge(before) { $1 }
        metrics.merge(timer.metrics) { $1 }
        metrics["timing/rollout_s"] = rolledOut.timeIntervalSince(rolloutStarted)
        metrics["timing/update_s"] = updated.timeIntervalSince(rolledOut)
        metrics["timing/step_s"] = Date().timeIntervalSince(started)
        try store(step: step, metrics: metrics, samples: samples)
        step += 1
        if step % max(1, config.saveFrequency) == 0 || step == config.totalTrainingSteps { try saveCheckpoint() }
        return StepReport(step: step - 1, metrics: metrics)
    }

    /// The row's index within its data source (what upstream used as the GRPO uid).
    func sourceIndex(of q: WorldQuestion) -> Int {
        Int(q.id.split(separator: "_").last ?? "") ?? 0
    }

    /// Greedy evaluation on the test split (the first `data.val_batch_size` questions).
    public func validate() async throws -> [String: Double] {
        let questions = environment.test.prefix(config.validationBatchSize).map { WorldPlans.question($0) }
        let settings = EvaluationSettings(rollout: rolloutSettings, maxNewTokens: config.rollout.maxResponseLength,
                                          temperature: 0, seed: config.seed,
                                          scoring: ScoringOptions(scheme: .em))
        let report = try await Evaluator.run(questions: Array(questions), replicas: models.policyReplicas,
                                             tokenizer: models.tokenizer,
                                             engine: engine, settings: settings)
        _ = engine.drain()
        return report.metrics
    }

    /// One transaction: the step's metrics, trajectories and retrieval calls.
    func store(step: Int, metrics: [String: Double], samples: [RolloutSample]) throws {
        let calls = engine.drain()
        let prepared = try PreparedTrajectory.prepareAll(samples.map(\.trajectory))
        try store.write { writer in
            try writer.ensureStep(runID: runID, step: step)
            try writer.addMetrics(runID: runID, step: step, metrics)
            try writer.insert(contentsOf: prepared, step: step, runID: runID)
            for call in calls {
                try writer.logRetrieval(runID: runID, step: step, engineFingerprint: engine.fingerprint,
                                        query: call.query, topK: call.topK, hits: call.hits)
            }
        }
    }

    /// Saves everything the next step reads: weights, AdamW moments, the KL controller.
    /// The critic is written first: a checkpoint counts once `step-N/` exists.
    public func saveCheckpoint() throws {
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let state = TrainerState(step: step, rng: RandomStream(seed: config.seed, purpose: "trainer"),
                                 dataCursor: step * config.trainBatchSize,
                                 extra: ["kl_controller": .string(try CanonicalJSON.string(models.klController))])
        if let critic = models.critic {
            _ = try Checkpoint.save(model: critic, tokenizer: models.tokenizer, optimizer: models.criticOptimizer,
                                    trainerState: state, to: checkpoints.appendingPathComponent("critic-step-\(step)"))
        }
        let url = checkpoints.appendingPathComponent("step-\(step)")
        let digest = try Checkpoint.save(model: models.policy, tokenizer: models.tokenizer, optimizer: models.actorOptimizer,
                                         trainerState: state, to: url)
        try store.recordCheckpoint(runID: runID, step: step, path: url.path, digest: digest)
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
