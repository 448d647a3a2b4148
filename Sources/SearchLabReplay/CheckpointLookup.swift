// Finding the policy a trajectory was sampled with, by the weights digest its provenance
// records: an explicit --checkpoint must match it; otherwise the run database's checkpoint
// table and the training config's base policy are searched.
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabStore
import SearchLabTrainer

enum CheckpointLookup {
    /// The checkpoint whose weights digest is `digest`.
    /// - Throws: ``SearchLabError`` saying what to pass when no such checkpoint is available.
    /// Also returns the step it was rebuilt from when no saved checkpoint has it.
    static func find(digest: String, explicit: String?, setup: ReplaySetup, store: RunStore) async throws -> (loaded: Checkpoint.Loaded, rebuiltFrom: Int?) {
        if let explicit {
            let loaded = try Checkpoint.load(from: URL(fileURLWithPath: explicit))
            guard loaded.digest == digest else {
                throw SearchLabError("checkpoint \(explicit) has weights \(short(loaded.digest)) but \(setup.stored.publicID) was sampled with \(short(digest)); pass the checkpoint it was sampled with")
            }
            return (loaded, nil)
        }
        var candidates = try store.checkpoints(withDigest: digest).map(\.path)
        // A run's first steps are sampled with its base policy, which the checkpoint table
        // does not list (it lists what runs saved); an `eval` run names the checkpoint it
        // evaluated as its policy.checkpoint (one stored before it did names none, but often
        // evaluated the base of a training run in the same database).
        if let base = setup.trainingConfig?.policyCheckpoint { candidates.append(base) }
        for run in try store.runs() where run.source == "train" {
            if let base = try? TrainingConfig(ResolvedConfig(canonicalJSON: Data(run.configJSON.utf8))).policyCheckpoint {
                candidates.append(base)
            }
        }
        var tried = Set<String>()
        for path in candidates where tried.insert(path).inserted && FileManager.default.fileExists(atPath: path) {
            if let loaded = try? Checkpoint.load(from: URL(fileURLWithPath: path)), loaded.digest == digest { return (loaded, nil) }
        }
        // A training step that saved no checkpoint: its weights are rebuilt from the nearest earlier one.
        if let rebuilt = try await WeightsRebuild.load(digest: digest, setup: setup, store: store) {
            return (rebuilt.loaded, rebuilt.from)
        }
        throw SearchLabError("no checkpoint with weights \(short(digest)) is available in \(store.path) (the checkpoints the runs name may have moved or been deleted); pass it with --checkpoint DIR")
    }

    /// The first 12 hex digits, enough to tell checkpoints apart in a message.
    static func short(_ digest: String) -> String { "sha256:" + digest.prefix(12) }
}
