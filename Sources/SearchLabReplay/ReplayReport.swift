// What a replay found, as JSON for tools and as text for people.
import Foundation
import SearchLabAnalysis
import SearchLabCore

/// The result of ``Replayer/replay(_:store:options:)``.
public struct ReplayReport: Codable, Sendable {
    public enum Mode: String, Codable, Sendable {
        /// Re-generated with the recorded answers.
        case replay
        /// Checked by teacher forcing (regenerating only what that cannot confirm).
        case verify
        /// Re-generated with another engine or top-k.
        case whatIf = "what_if"
        /// An import's queries asked again.
        case requery
    }

    public var trajectory: String
    public var storeID: Int64
    public var origin: ReplayOrigin
    public var mode: Mode
    /// Fingerprint of the engine that answered the replay's searches.
    public var engine: String
    public var topK: Int
    public var checkpointDigest: String?
    /// The saved step the weights were rebuilt from, when the trajectory's step saved none
    /// (0: the run's base policy); the rebuilt weights are cached in `rebuilt/` beside the run's checkpoints.
    public var weightsRebuiltFrom: Int?
    /// How the row was decoded inside its rollout batch (absent when it was decoded alone:
    /// a what-if, or an eval run stored without its specification).
    public var batch: BatchReplayInfo?
    /// The replay renders byte for byte the recorded trajectory.
    public var identical = false
    public var divergence: ReplayDivergence?
    public var verify: VerifyStats?
    /// The replay's outcome (answer, reward, counts) differs from the recorded one.
    public var outcomeChanged = false
    /// Whether the replay's answer is an exact match (absent for a requery).
    public var replayedExactMatch: Bool?
    /// What-if: the recording (A) against the replay (B), turn by turn.
    public var changes: TrajectoryDiff?
    /// Requery: per search turn, recorded documents against the engine's.
    public var requeried: [RequeriedTurn]?

    init(setup: ReplaySetup, mode: Mode, engine: String, topK: Int) {
        trajectory = setup.stored.publicID
        storeID = setup.stored.id
        origin = setup.origin
        self.mode = mode
        self.engine = engine
        self.topK = topK
    }

    enum CodingKeys: String, CodingKey {
        case trajectory, origin, mode, engine, identical, divergence, verify, changes, requeried, batch
        case storeID = "store_id"
        case topK = "top_k"
        case checkpointDigest = "checkpoint_digest"
        case weightsRebuiltFrom = "weights_rebuilt_from"
        case outcomeChanged = "outcome_changed"
        case replayedExactMatch = "replayed_exact_match"
    }

    /// Whether a replay of the recording (not a what-if) failed to reproduce it.
    public var diverged: Bool { (mode == .replay || mode == .verify) && !identical }

    /// The report as text, one fact per line.
    public func text(palette: Palette) -> String {
        var lines = ["\(mode.rawValue.replacingOccurrences(of: "_", with: "-")) #\(storeID) \(trajectory) (\(origin.rawValue))"
            + "  engine \(engine)  top-k \(topK)" + (checkpointDigest.map { "  checkpoint sha256:\($0.prefix(12))" } ?? "")]
        if let from = weightsRebuiltFrom {
            let origin = from == 0 ? "the run's base policy" : "checkpoint step-\(from)"
            lines.append("weights: rebuilt from \(origin) by re-running the steps after it (this step saved no checkpoint); "
                         + "the digest matches the recorded one")
        }
        if let batch {
            let decoded = batch.shards.map { "turn \($0.turn): rows \($0.first)–\($0.first + $0.count - 1) of \($0.active)" }
            lines.append("batch: row \(batch.row) of \(batch.rows) on \(batch.workers) worker\(batch.workers == 1 ? "" : "s"); the rest of the batch "
                         + "follows its recording" + (decoded.isEmpty ? "" : "; decoded in its shard, as training did (" + decoded.joined(separator: "; ") + ")"))
        }
        if let verify {
            let forced = verify.teacherForcedTurns.map(String.init).joined(separator: ", ")
            lines.append("teacher-forced turns: \(forced.isEmpty ? "none" : forced)")
            for turn in verify.regenerated { lines.append("regenerated turn \(turn.turn): \(turn.reason)") }
        }
        if mode == .requery {
            for turn in requeried ?? [] {
                lines.append("turn \(turn.turn)  query \(quotedOneLine(turn.query))  jaccard \(String(format: "%.2f", turn.overlap.jaccard))"
                    + "  shared \(turn.overlap.shared.count)  only recorded \(turn.overlap.onlyA.count)  only new \(turn.overlap.onlyB.count)")
                for title in turn.overlap.onlyB { lines.append("  + " + quotedOneLine(title)) }
                for title in turn.overlap.onlyA { lines.append("  - " + quotedOneLine(title)) }
            }
            if requeried?.isEmpty ?? true { lines.append("the trajectory made no searches") }
        } else if identical {
            lines.append(palette.bold("identical") + ": the replay renders the recorded trajectory byte for byte")
        } else if let d = divergence {
            let place = (d.turn.map { "turn \($0), " } ?? "") + "\(d.part.rawValue), token \(d.tokenPosition)"
            lines.append(palette.warn("first divergence: \(place)"))
            lines.append("  expected \(quotedOneLine(d.expected))  got \(quotedOneLine(d.got))")
            lines.append("  why: \(d.cause.rawValue.replacingOccurrences(of: "_", with: " ")): \(d.detail)")
        }
        if outcomeChanged && mode != .requery { lines.append("the outcome differs (answer, reward or counts)") }
        var text = lines.joined(separator: "\n") + "\n"
        if let changes { text += "changes (A = recorded, B = what-if):\n" + changes.text(palette: palette) }
        return text
    }
}
