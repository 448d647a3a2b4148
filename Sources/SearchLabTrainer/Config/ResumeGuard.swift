// `--resume` continues the run the database describes, or refuses: a resumed run under a
// changed config would no longer be the run its record shows.
import Foundation
import SearchLabCore

/// The comparison of a run's stored config and world with the ones a resume brings.
public enum ResumeGuard {
    /// Keys that may change on resume. `trainer.total_training_steps` extends (or shortens)
    /// a run; the learning-rate schedule then follows the new total from the resumed step on.
    public static let safeKeys: Set<String> = ["trainer.total_training_steps"]

    /// Reads a run's stored config strictly.
    /// - Throws: ``SearchLabError`` when the stored JSON does not read under this build's schema.
    public static func storedConfig(_ json: String, run: String) throws -> ResolvedConfig {
        do {
            return try ResolvedConfig(canonicalJSON: Data(json.utf8))
        } catch let error as SearchLabError {
            throw SearchLabError("--resume: the stored config of run \(run) does not read under this searchlab (\(error.message)); "
                                 + "resume it with the searchlab that started it")
        }
    }

    /// The keys whose values differ, sorted, with the stored and the new value.
    public static func differences(stored: ResolvedConfig, now: ResolvedConfig) -> [(key: String, was: ConfigValue, now: ConfigValue)] {
        Set(stored.values.keys).union(now.values.keys).sorted().compactMap { key in
            let was = stored.values[key] ?? .null, new = now.values[key] ?? .null
            return was == new ? nil : (key, was, new)
        }
    }

    /// - Throws: ``SearchLabError`` listing every changed key that is not in ``safeKeys``
    ///   (`--resume: actor_rollout_ref.actor.optim.lr was 0.0001, now 0.5`), or a changed world.
    public static func check(stored: ResolvedConfig, now: ResolvedConfig, storedWorld: String?, nowWorld: String?) throws {
        let refused = differences(stored: stored, now: now).filter { !safeKeys.contains($0.key) }
        if !refused.isEmpty {
            let list = refused.map { "\($0.key) was \($0.was), now \($0.now)" }.joined(separator: "; ")
            throw SearchLabError("--resume: \(list) (only \(safeKeys.sorted().joined(separator: ", ")) may change when resuming; "
                                 + "start a new run under another --name to change the rest)")
        }
        if let storedWorld, storedWorld != nowWorld {
            throw SearchLabError("--resume: the world's corpus was sha256:\(storedWorld.prefix(12)), now "
                                 + "\(nowWorld.map { "sha256:\($0.prefix(12))" } ?? "missing"); point world.dir at the run's world")
        }
    }
}
