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
    /// The engine of the rollouts; its calls are stored with their step as `rollout` calls.
    let engine: CallRecorder
    /// The same engine for validation, recorded apart (`validation` calls of the step).
    let validationEngine: CallRecorder
    let checkpoints: URL
    /// The data order (whole batches within each epoch).
    let batches: EpochBatches
    /// Held for the life of the run: no second process trains it meanwhile.
    let lock: RunLock
    /// The next step to run.
    public internal(set) var step: Int

    /// - Parameters:
    ///   - resolved: the whole resolved config; stored with a new run, and compared with the
    ///     stored one on `resume` (see ``ResumeGuard``).
    ///   - checkpoints: directory of this run's checkpoints (`step-N/`, `critic-step-N/`).
    ///   - resume: continue from the newest checkpoint the database records instead of starting fresh.
    ///   - codeVersion: the commit of the code that trains (recorded with a new run).
    public init(config: TrainingConfig, resolved: ResolvedConfig, environment: WorldEnvironment, store: RunStore, name: String,
                checkpoints: URL, resume: Bool, codeVersion: String) throws {
        self.config = config
        self.environment = environment
        self.store = store
        self.checkpoints = checkpoints
        try RunSpec.validate(name: name)
        // The data order first: a world that cannot fill a batch leaves no lock file behind.
        batches = try EpochBatches(questionCount: environment.train.count, batchSize: config.trainBatchSize, seed: config.seed)
        lock = try RunLock(path: checkpoints.path + ".lock", owner: "run \(name)")
        let inner = try environment.engine(config.rollout.retrieverEngine, seed: config.seed)
        engine = CallRecorder(inner)
        validationEngine = CallRecorder(inner)
        guard let base = config.policyCheckpoint else {
            throw SearchLabError("policy.checkpoint is not set: train starts from a base policy (run `searchlab pretrain` and set policy.checkpoint=DIR)")
        }
        let initial = try Checkpoint.load(from: URL(fileURLWithPath: base))
        try Self.checkPreset(config.policyPreset, of: initial.model.config, checkpoint: base)
        try Self.checkLimits(config.rollout, context: initial.model.config.contextLength, checkpoint: base)
        let worldDigest = environment.manifest.files["corpus.jsonl"]?.sha256
        let existing = try store.write { try $0.run(named: name) }
        var latest: (step: Int, url: URL)?
        if let existing {
            guard resume else { throw SearchLabError("run \(name) already exists in \(store.path): pick another --name, or --resume it") }
            let stored = try ResumeGuard.storedConfig(existing.configJSON, run: name)
            try ResumeGuard.check(stored: stored, now: resolved, storedWorld: existing.worldDigest, nowWorld: worldDigest)
            latest = try TrainingRun.latestCheckpoint(of: existing.id!, in: store, checkpoints: checkpoints)
            guard latest != nil else {
                throw SearchLabError("--resume: no checkpoint of run \(name) is recorded in \(store.path) yet; start it anew under another --name")
            }
            runID = existing.id!
            if stored != resolved {
                // Only keys documented as safe differ: the record shows what the run now uses.
                try store.updateConfig(runID: runID, configJSON: try resolved.canonicalJSON())
            }
        } else {
            guard !resume else { throw SearchLabError("--resume: run \(name) is not in \(store.path); start it without --resume") }
            runID = try store.createRun(RunSpec(name: name, source: "train", configJSON: try resolved.canonicalJSON(), seed: config.seed,
                                                codeVersion: codeVersion, worldDigest: worldDigest)).id!
        }
        // The workers are the parallelism; one BLAS thread each also makes every product's
        // summation order independent of the machine's core count.
        Tensor.setBLASThreads(1)
        models = try TrainingRun.makeModels(config: config, initial: initial, latest: latest, checkpoints: checkpoints)
        step = latest?.step ?? 0
        // Steps after the checkpoint (a crash mid-run) are redone from scratch.
        if resume { try store.discardSteps(runID: runID, from: step) }
    }

    /// The newest checkpoint the database records for the run. Directories the database does
    /// not name (a crash between saving the files and the step's commit) are ignored: the
    /// step that saved them is redone.
    /// - Throws: ``SearchLabError`` when the recorded checkpoint's directory is missing.
    static func latestCheckpoint(of runID: Int64, in store: RunStore, checkpoints: URL) throws -> (step: Int, url: URL)? {
        guard let record = try store.checkpoints(runID: runID).last else { return nil }
        let url = checkpoints.appendingPathComponent("step-\(record.step)")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
            throw SearchLabError("--resume: the database records checkpoint step-\(record.step) at \(url.path), but it is not there; "
                                 + "put the run's checkpoints back in \(checkpoints.path)")
        }
        return (record.step, url)
    }

    /// The prompt limits must fit the model's context: a longer prompt would be cut silently
    /// by the model's window, not by the limit the config names.
    public static func checkLimits(_ rollout: TrainingConfig.Rollout, context: Int, checkpoint: String) throws {
        for (key, value) in [("data.max_start_length", rollout.maxStartLength), ("data.max_prompt_length", rollout.maxPromptLength)]
        where value > context {
            throw SearchLabError("\(key) (\(value)) exceeds the context of the model in \(checkpoint) (\(context) tokens); "
                                 + "set it to at most \(context)")
        }
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
