// `searchlab train`: Search-R1's training loop in the simulated world. Every random choice
// is keyed by (seed, step, …), and a checkpoint holds everything a step reads, so a run
// resumed from its last checkpoint continues bit for bit as if it had never stopped.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabTensor

/// A training run: config, world, models, store.
public final class TrainingRun {
    public let config: TrainingConfig
    public let environment: WorldEnvironment
    public let models: TrainingModels
    public let store: RunStore
    public let runID: Int64
    let engine: CallRecorder
    let checkpoints: URL
    /// The next step to run.
    public internal(set) var step: Int

    /// - Parameters:
    ///   - checkpoints: directory of this run's checkpoints (`step-N/`, `critic-step-N/`).
    ///   - resume: continue from the newest checkpoint there instead of starting fresh.
    public init(config: TrainingConfig, configJSON: String, environment: WorldEnvironment, store: RunStore, name: String,
                checkpoints: URL, resume: Bool) throws {
        self.config = config
        self.environment = environment
        self.store = store
        self.checkpoints = checkpoints
        self.engine = CallRecorder(try environment.engine(config.rollout.retrieverEngine, seed: config.seed))
        guard let base = config.policyCheckpoint else {
            throw SearchLabError("policy.checkpoint is not set: train starts from a base policy (run `searchlab pretrain` and set policy.checkpoint=DIR)")
        }
        let initial = try Checkpoint.load(from: URL(fileURLWithPath: base))
        try Self.checkPreset(config.policyPreset, of: initial.model.config, checkpoint: base)
        let latest = resume ? try TrainingRun.latestCheckpoint(in: checkpoints) : nil
        if resume && latest == nil { throw SearchLabError("--resume: no checkpoint in \(checkpoints.path) yet; start without --resume") }
        let existing = try store.write { try $0.run(named: name) }
        if let existing {
            guard resume else { throw SearchLabError("run \(name) already exists in \(store.path): pick another --name, or --resume it") }
            runID = existing.id!
        } else {
            guard !resume else { throw SearchLabError("--resume: run \(name) is not in \(store.path)") }
            runID = try store.createRun(RunSpec(name: name, source: "train", configJSON: configJSON, seed: config.seed,
                                                codeVersion: "searchlab", worldDigest: environment.manifest.files["corpus.jsonl"]?.sha256)).id!
        }
        // The workers are the parallelism; one BLAS thread each also makes every product's
        // summation order independent of the machine's core count.
        Tensor.setBLASThreads(1)
        models = try TrainingRun.makeModels(config: config, initial: initial, latest: latest, checkpoints: checkpoints)
        step = latest?.step ?? 0
        // Steps after the checkpoint (a crash mid-run) are redone from scratch.
        try store.discardSteps(runID: runID, from: step)
    }

    static func latestCheckpoint(in directory: URL) throws -> (step: Int, url: URL)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let steps = names.compactMap { $0.hasPrefix("step-") ? Int($0.dropFirst(5)) : nil }
        return steps.max().map { ($0, directory.appendingPathComponent("step-\($0)")) }
    }

    /// `policy.config`, when set, must name the checkpoint's size: training a different model
    /// than the config says would be silent otherwise.
    static func checkPreset(_ preset: String?, of model: TransformerConfig, checkpoint: String) throws {
        guard let preset, let expected = TransformerConfig.named(preset, vocabSize: model.vocabSize) else { return }
        func shape(_ c: TransformerConfig) -> String { "width \(c.width), depth \(c.depth), \(c.heads) heads, context \(c.contextLength)" }
        guard shape(expected) != shape(model) else { return }
        throw SearchLabError("policy.config is \(preset) (\(shape(expected))) but \(checkpoint) holds a model of \(shape(model)); "
            + "set policy.config to that model's size, or null to take the checkpoint's")
    }

    static func makeModels(config: TrainingConfig, initial: Checkpoint.Loaded, latest: (step: Int, url: URL)?,
                           checkpoints: URL) throws -> TrainingModels {
        let reference = initial.model.frozenCopy()
        let policyState = try latest.map { try Checkpoint.load(from: $0.url) }
        let policy = policyState?.model ?? initial.model
        let actorOptimizer = policyState?.optimizer ?? AdamW(parameterCount: policy.parameters.count,
                                                             beta2: 0.999, weightDecay: Float(config.actor.optimizer.weightDecay))
        var klController = config.klController
        if case .string(let saved)? = policyState?.trainerState?.extra["kl_controller"] {
            klController = try JSONDecoder().decode(KLController.self, from: Data(saved.utf8))
        }
        var critic: Transformer?
        var criticOptimizer: AdamW?
        if config.estimator.needsCritic {
            if let latest {
                let loaded = try Checkpoint.load(from: checkpoints.appendingPathComponent("critic-step-\(latest.step)"))
                critic = loaded.model
                criticOptimizer = loaded.optimizer
            } else {
                // verl initialises the critic from the same base model; the value head starts at zero.
                var criticConfig = initial.model.config
                criticConfig.valueHead = true
                let model = try Transformer(config: criticConfig)
                model.initialize(seed: config.seed)
                for i in 0..<initial.model.parameters.count { model.parameters[i] = initial.model.parameters[i] }
                for i in initial.model.parameters.count..<model.parameters.count { model.parameters[i] = 0 }
                critic = model
            }
            criticOptimizer = criticOptimizer ?? AdamW(parameterCount: critic!.parameters.count, beta2: 0.999,
                                                       weightDecay: Float(config.critic.optimizer.weightDecay))
        }
        return TrainingModels(tokenizer: initial.tokenizer, policy: policy, reference: reference, critic: critic,
                              actorOptimizer: actorOptimizer, criticOptimizer: criticOptimizer, klController: klController,
                              pool: WorkerPool(count: config.threads))
    }
}
