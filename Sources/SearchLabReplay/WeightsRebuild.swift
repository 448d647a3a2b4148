// Replaying a training step that saved no checkpoint: the weights its rollouts were sampled
// with are rebuilt from the nearest earlier checkpoint (or the run's base policy) by running
// the steps in between again. The resume contract makes that bit-exact — a resumed run equals
// an uninterrupted one — and the rebuilt weights must have the digest the trajectory's
// provenance records before anything is replayed with them. They are cached beside the run's
// own checkpoints (`RUN.sqlite.checkpoints/NAME/rebuilt/step-N`), so a second replay of the
// same step loads them at once; deleting `rebuilt/` clears the cache.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabTrainer

enum WeightsRebuild {
    /// The cache of rebuilt checkpoints of `run`.
    static func cacheDirectory(store: RunStore, run: String) -> URL {
        URL(fileURLWithPath: store.path + ".checkpoints").appendingPathComponent(run).appendingPathComponent("rebuilt")
    }

    /// The policy a training trajectory's rollouts used, rebuilt (or read from the cache).
    /// - Returns: nil when the trajectory is not from a training run.
    /// - Throws: ``SearchLabError`` when the steps cannot be re-run here (a live engine, a
    ///   world or base policy that is not reachable) or the rebuilt weights do not match.
    static func load(digest: String, setup: ReplaySetup, store: RunStore) async throws -> (loaded: Checkpoint.Loaded, from: Int)? {
        guard setup.origin == .training, let config = setup.trainingConfig else { return nil }
        let target = setup.stored.record.step
        let cache = cacheDirectory(store: store, run: setup.run.name)
        let cached = cache.appendingPathComponent("step-\(target)")
        let start = try store.checkpoints(runID: setup.run.id!).last { $0.step < target }
        if let loaded = try? Checkpoint.load(from: cached), loaded.digest == digest { return (loaded, start?.step ?? 0) }
        try checkRebuildable(config, run: setup.run.name)
        let scratch = cache.appendingPathComponent("scratch-\(target)")
        try? FileManager.default.removeItem(at: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rebuilt = try await rerun(storedConfig: setup.run.configJSON, from: start, to: target,
                                      scratch: scratch, runName: setup.run.name)
        let loaded = try Checkpoint.load(from: rebuilt)
        guard loaded.digest == digest else {
            throw SearchLabError("re-running run \(setup.run.name) from \(start.map { "step-\($0.step)" } ?? "its base policy") to step \(target) "
                                 + "gave weights \(CheckpointLookup.short(loaded.digest)), not the \(CheckpointLookup.short(digest)) "
                                 + "\(setup.stored.publicID) was sampled with (another OpenBLAS build or kernel family?); pass the checkpoint with --checkpoint DIR")
        }
        try? FileManager.default.removeItem(at: cached)
        try FileManager.default.moveItem(at: rebuilt, to: cached)
        return (loaded, start?.step ?? 0)
    }

    /// Only engines that answer the same query the same way can re-run a step's rollouts.
    static func checkRebuildable(_ config: TrainingConfig, run: String) throws {
        if config.rollout.retrieverEngine == "http" {
            throw SearchLabError("the weights of this step of run \(run) were not saved, and its engine (http) answers live, so the "
                                 + "steps before it cannot be re-run exactly; pass the checkpoint with --checkpoint DIR")
        }
    }

    /// Runs steps `from.step ..< target` of the run again in a scratch database and returns
    /// the checkpoint directory written after step `target`.
    static func rerun(storedConfig: String, from start: CheckpointRecord?, to target: Int,
                      scratch: URL, runName: String) async throws -> URL {
        // Validation and periodic checkpoints do not touch the weights: the scratch run skips them.
        var resolved = try ResolvedConfig(canonicalJSON: Data(storedConfig.utf8))
        try resolved.set("trainer.test_freq", text: "-1")
        try resolved.set("trainer.val_before_train", text: "false")
        try resolved.set("trainer.save_freq", text: "-1")
        let quiet = try TrainingConfig(resolved)
        guard let worldDirectory = quiet.worldDirectory, FileManager.default.fileExists(atPath: worldDirectory) else {
            throw SearchLabError("the weights of this step of run \(runName) were not saved, and its world (world.dir "
                                 + "\(quiet.worldDirectory ?? "unset")) is not reachable from here to re-run the steps before it; "
                                 + "run replay from the folder the run was trained in, or pass the checkpoint with --checkpoint DIR")
        }
        let environment = try WorldEnvironment(directory: URL(fileURLWithPath: worldDirectory))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let store = try RunStore(path: scratch.appendingPathComponent("rerun.sqlite").path)
        let checkpoints = scratch.appendingPathComponent("checkpoints")
        if let start {
            // The scratch run resumes from a copy of the recorded checkpoint (and its critic's).
            try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
            let source = URL(fileURLWithPath: start.path)
            guard FileManager.default.fileExists(atPath: source.appendingPathComponent("model.safetensors").path) else {
                throw SearchLabError("the weights of step \(target) of run \(runName) are rebuilt from checkpoint step-\(start.step), which "
                                     + "the database records at \(start.path), but it is not there; put the run's checkpoints back, "
                                     + "or pass the checkpoint with --checkpoint DIR")
            }
            try FileManager.default.copyItem(at: source, to: checkpoints.appendingPathComponent("step-\(start.step)"))
            let critic = source.deletingLastPathComponent().appendingPathComponent("critic-step-\(start.step)")
            if FileManager.default.fileExists(atPath: critic.path) {
                try FileManager.default.copyItem(at: critic, to: checkpoints.appendingPathComponent("critic-step-\(start.step)"))
            }
            let runID = try store.createRun(RunSpec(name: runName, source: "train", configJSON: try resolved.canonicalJSON(),
                                                    seed: quiet.seed, codeVersion: "rebuild",
                                                    worldDigest: environment.manifest.files["corpus.jsonl"]?.sha256)).id!
            try store.recordCheckpoint(runID: runID, step: start.step, path: start.path, digest: start.digest)
        }
        let run = try TrainingRun(config: quiet, resolved: resolved, environment: environment, store: store, name: runName,
                                  checkpoints: checkpoints, resume: start != nil, codeVersion: "rebuild")
        while run.step < target {
            try await run.runStep(forceCheckpoint: run.step + 1 == target)
        }
        return checkpoints.appendingPathComponent("step-\(target)")
    }
}
