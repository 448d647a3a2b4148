// `searchlab merge`: copies every run of some databases into one, so that a grid spread over
// a cluster (one database per cell) can be analysed as one.
//
// Conflicts are refused, not renamed: a run name is part of every public trajectory id, so a
// silent rename would break ids users already hold. A run that is already in the output with
// the same content (config, metrics, trajectories) is skipped, which makes merging idempotent;
// `prefix` renames every incoming run on purpose.
import Foundation
import GRDB
import SearchLabCore
import SearchLabStore

/// Copies runs between run databases (see the file comment for the conflict policy).
public enum RunMerge {
    /// What a merge did.
    public struct Outcome: Hashable, Sendable {
        /// Runs copied, as named in the output.
        public var merged: [String] = []
        /// Runs already present with identical content.
        public var skipped: [String] = []
    }

    /// Copies every run of `inputs` into `output` (created if missing).
    ///
    /// All conflicts are found before anything is written; then each input is copied in one
    /// transaction, so a failure leaves whole runs only, and running the merge again finishes it.
    /// - Parameter prefix: prepended to every incoming run name.
    /// - Parameter progress: called with one line per input.
    /// - Throws: ``SearchLabError`` for a name held by a different run (in the output or in two
    ///   inputs); ``LocatedError`` for unreadable databases.
    public static func merge(into output: String, from inputs: [String], prefix: String = "",
                             progress: (String) -> Void = { _ in }) throws -> Outcome {
        for input in inputs where URL(fileURLWithPath: input).standardized == URL(fileURLWithPath: output).standardized {
            throw SearchLabError("\(input) is also the output; merge into another file")
        }
        let plans = try inputs.map { try plan(input: $0, output: output, prefix: prefix) }
        try checkNoDuplicatesAcrossInputs(plans)
        _ = try RunStore(path: output)   // creates and migrates
        let queue = try DatabaseQueue(path: output)
        var outcome = Outcome()
        for plan in plans {
            outcome.skipped += plan.identical.map(\.target)
            guard !plan.copies.isEmpty else { progress("\(plan.input): nothing new"); continue }
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [plan.input])
                defer { try? db.execute(sql: "DETACH DATABASE src") }
                try db.inTransaction {
                    for run in plan.copies { try RunCopy(db: db).copy(sourceRunID: run.sourceID, as: run.target) }
                    return .commit
                }
            }
            outcome.merged += plan.copies.map(\.target)
            progress("\(plan.input): merged \(plan.copies.map(\.target).joined(separator: ", "))")
        }
        return outcome
    }

    struct IncomingRun { var sourceID: Int64; var target: String; var fingerprint: String }
    struct Plan { var input: String; var copies: [IncomingRun]; var identical: [IncomingRun] }

    /// Which runs of `input` to copy, and which are already in `output`.
    static func plan(input: String, output: String, prefix: String) throws -> Plan {
        let source = try RunStore(path: input, create: false)
        let runs: [IncomingRun] = try source.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM run ORDER BY created_order").map { row in
                let target = prefix + (row["name"] as String)
                try RunSpec.validate(name: target)
                return IncomingRun(sourceID: row["id"], target: target, fingerprint: try fingerprint(db, runID: row["id"]))
            }
        }
        var plan = Plan(input: input, copies: [], identical: [])
        let existing: RunStore? = FileManager.default.fileExists(atPath: output) ? try RunStore(path: output, create: false) : nil
        for run in runs {
            let present: String? = try existing?.read { db in
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE name = ?", arguments: [run.target]) else { return nil }
                return try fingerprint(db, runID: id)
            }
            switch present {
            case nil: plan.copies.append(run)
            case run.fingerprint?: plan.identical.append(run)
            default:
                throw SearchLabError("run \(run.target) from \(input) is already in \(output) with different content; "
                                     + "merge with --prefix to rename the incoming runs, or into another file")
            }
        }
        return plan
    }

    static func checkNoDuplicatesAcrossInputs(_ plans: [Plan]) throws {
        var first: [String: (input: String, fingerprint: String)] = [:]
        for plan in plans {
            for run in plan.copies {
                if let seen = first[run.target] {
                    guard seen.fingerprint != run.fingerprint else { continue }
                    throw SearchLabError("run \(run.target) is in both \(seen.input) and \(plan.input) with different content; "
                                         + "merge them with different --prefix values")
                }
                first[run.target] = (plan.input, run.fingerprint)
            }
        }
    }

    /// A digest of what a run holds (timings aside, which differ between identical runs).
    static func fingerprint(_ db: Database, runID: Int64) throws -> String {
        var text = ""
        if let row = try Row.fetchOne(db, sql: "SELECT source, config_json, seed, world_digest FROM run WHERE id = ?", arguments: [runID]) {
            text += "\(row["source"] as String)\n\(row["config_json"] as String)\n\(row["seed"] as Int64? ?? -1)\n\(row["world_digest"] as String? ?? "")\n"
        }
        let metrics = try Row.fetchCursor(db, sql: """
            SELECT step, name, value FROM metric WHERE run_id = ? AND name NOT LIKE 'timing/%' ORDER BY step, name
            """, arguments: [runID])
        while let m = try metrics.next() { text += "m \(m["step"] as Int) \(m["name"] as String) \((m["value"] as Double).bitPattern)\n" }
        let digests = try String.fetchCursor(db, sql: "SELECT content_digest FROM trajectory WHERE run_id = ? ORDER BY id", arguments: [runID])
        while let d = try digests.next() { text += "t \(d)\n" }
        return CanonicalJSON.sha256Hex(Data(text.utf8))
    }
}
