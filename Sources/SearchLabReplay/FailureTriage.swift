// `searchlab replay --run R --failed`: the debugger's first question about a run's misses,
// answered in one go. Each failing trajectory is verified against its recording (does the
// failure reproduce?) and, with a what-if engine such as the oracle, replayed with that
// engine (would perfect retrieval have answered it?).
import SearchLabCore
import SearchLabStore

/// One failing trajectory's triage.
public struct TriageRow: Codable, Sendable {
    public enum Verdict: String, Codable, Sendable {
        /// The what-if engine's documents led the same policy to the right answer.
        case retrievalFailure = "retrieval_failure"
        /// Even the what-if engine's documents did not: the policy's reading or reasoning failed.
        case reasoningFailure = "reasoning_failure"
    }

    public var trajectory: String
    public var storeID: Int64
    /// The verified replay reproduced the recording byte for byte (nil: it could not run).
    public var reproduced: Bool?
    /// Why the trajectory could not be replayed (a missing checkpoint, say).
    public var error: String?
    /// With a what-if engine: whether its replay answered right.
    public var whatIfExactMatch: Bool?
    public var verdict: Verdict?

    enum CodingKeys: String, CodingKey {
        case trajectory, reproduced, error, verdict
        case storeID = "store_id"
        case whatIfExactMatch = "what_if_exact_match"
    }
}

/// The triage of a run's failing trajectories.
public struct FailureTriage: Codable, Sendable {
    public var run: String
    public var trajectories: Int
    public var failing: Int
    /// The what-if engine's fingerprint, when one was asked.
    public var engine: String?
    public var rows: [TriageRow]

    /// The failing trajectories of `run` a triage replays: all of them, or the first `limit`.
    public static func selection(of run: RunRecord, store: RunStore, limit: Int?) throws -> (failing: Int, ids: [Int64]) {
        let failing = try store.failingTrajectoryIDs(runID: run.id!)
        return (failing.count, limit.map { Array(failing.prefix($0)) } ?? failing)
    }

    /// Verifies each trajectory of `selection` and, with `engineFor`, replays it against that
    /// engine. A trajectory that cannot be replayed is reported in its row, not thrown.
    /// - Parameter verifying: whether to verify each recording first (`scan --oracle` only
    ///   asks the what-if).
    /// - Parameter engineFor: the what-if engine for a trajectory's setup (nil: verify only).
    /// - Parameter progress: the number of trajectories done, after each.
    public static func run(_ run: RunRecord, selection: (failing: Int, ids: [Int64]), store: RunStore, verifying: Bool = true,
                           engineFor: ((ReplaySetup) throws -> any SearchEngine)?,
                           progress: (Int) -> Void = { _ in }) async throws -> FailureTriage {
        var triage = FailureTriage(run: run.name, trajectories: try store.trajectoryCount(runID: run.id!),
                                   failing: selection.failing, rows: [])
        for (done, id) in selection.ids.enumerated() {
            triage.rows.append(try await row(id, store: store, verifying: verifying, engineFor: engineFor, engine: &triage.engine))
            progress(done + 1)
        }
        return triage
    }

    static func row(_ id: Int64, store: RunStore, verifying: Bool, engineFor: ((ReplaySetup) throws -> any SearchEngine)?,
                    engine fingerprint: inout String?) async throws -> TriageRow {
        let setup = try ReplaySetup(store: store, ref: .storeID(id))
        var row = TriageRow(trajectory: setup.stored.publicID, storeID: id)
        do {
            if verifying {
                row.reproduced = try await Replayer.replay(setup, store: store, options: ReplayOptions(verify: true)).identical
            }
            if let engineFor {
                let engine = try engineFor(setup)
                fingerprint = engine.fingerprint
                let whatIf = try await Replayer.replay(setup, store: store, options: ReplayOptions(engine: engine))
                row.whatIfExactMatch = whatIf.replayedExactMatch
                row.verdict = whatIf.replayedExactMatch == true ? .retrievalFailure : .reasoningFailure
            }
        } catch let error as SearchLabError {
            row.error = error.message
        }
        return row
    }

    public var reproducedCount: Int { rows.filter { $0.reproduced == true }.count }
    public var divergedCount: Int { rows.filter { $0.reproduced == false }.count }
    public var unreplayableCount: Int { rows.filter { $0.error != nil }.count }

    /// The triage as a table, one trajectory a line, then the totals.
    public func text() -> String {
        let width = max(10, rows.map(\.trajectory.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var lines = ["triage of \(rows.count) of the \(failing) failing trajectories of run \(run) (\(trajectories) in all)"
                     + (engine.map { "; what-if engine \($0)" } ?? "")]
        lines.append(pad("trajectory", width) + "  " + pad("reproduces", 10) + "  " + pad("what-if", 11) + "  class")
        for row in rows {
            let reproduces = row.reproduced.map { $0 ? "yes" : "DIVERGED" } ?? "cannot run"
            let whatIf = row.whatIfExactMatch.map { $0 ? "right" : "still wrong" } ?? "-"
            let verdict = row.verdict.map { $0 == .retrievalFailure ? "retrieval failure" : "reasoning failure" } ?? (row.error ?? "-")
            lines.append(pad(row.trajectory, width) + "  " + pad(reproduces, 10) + "  " + pad(whatIf, 11) + "  " + verdict)
        }
        var summary = "reproduced \(reproducedCount) of \(rows.count)"
        if divergedCount > 0 { summary += "; DIVERGED \(divergedCount) (replay each for its first divergence)" }
        if unreplayableCount > 0 { summary += "; could not replay \(unreplayableCount)" }
        lines.append(summary)
        if engine != nil {
            let retrieval = rows.filter { $0.verdict == .retrievalFailure }.count
            let reasoning = rows.filter { $0.verdict == .reasoningFailure }.count
            lines.append("retrieval failures \(retrieval) (the what-if engine's documents led to the right answer); "
                         + "reasoning failures \(reasoning) (they did not)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    enum CodingKeys: String, CodingKey { case run, trajectories, failing, engine, rows }
}
