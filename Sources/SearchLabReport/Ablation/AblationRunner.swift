// Running a grid: each cell is a `searchlab train` child process with its own database, up to
// `jobs` at a time. A cell whose run stored its final checkpoint is finished and skipped; one
// with a checkpoint is continued with `--resume` (bit for bit, as the trainer guarantees).
import Foundation
import GRDB
import SearchLabCore
import SearchLabStore

/// Where a grid's cells live and how far each got.
public struct AblationLayout: Sendable {
    /// The combined database the finished cells are merged into.
    public var database: String

    /// - Parameter database: the `--db` path; cells live beside it in `DB.cells/`.
    public init(database: String) { self.database = database }

    /// `DB.cells/`: one database (and log, and checkpoints) per cell.
    public var cellsDirectory: URL { URL(fileURLWithPath: database + ".cells") }
    /// `DB.cells/CELL.sqlite`.
    public func cellDatabase(_ cell: AblationCell) -> String { cellsDirectory.appendingPathComponent(cell.name + ".sqlite").path }
    /// `DB.cells/CELL.log`: the cell's train commands and their output, appended.
    public func cellLog(_ cell: AblationCell) -> String { cellsDirectory.appendingPathComponent(cell.name + ".log").path }

    /// How far a cell got.
    public enum State: String, Sendable { case finished, resumable, fresh }

    /// Finished when the final checkpoint (step = trainer.total_training_steps) is recorded;
    /// resumable when any checkpoint is; otherwise fresh (a run without checkpoints is redone
    /// from the start, which gives the same bytes).
    public func state(of cell: AblationCell) throws -> State {
        let path = cellDatabase(cell)
        guard FileManager.default.fileExists(atPath: path) else { return .fresh }
        return try RunStore(path: path, create: false).read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, config_json FROM run WHERE name = ?", arguments: [cell.name]) else { return .fresh }
            let config = try JSONValue.parse(Data((row["config_json"] as String).utf8))
            guard case .object(let fields) = config, case .integer(let total)? = fields["trainer.total_training_steps"] else {
                throw SearchLabError("\(path): run \(cell.name) has no trainer.total_training_steps in its config")
            }
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(step) FROM checkpoint WHERE run_id = ?", arguments: [row["id"] as Int64])
            guard let last else { return .fresh }
            return last >= total ? .finished : .resumable
        }
    }

    /// The config a cell's run was stored with, if it has started.
    public func storedConfig(of cell: AblationCell) throws -> [String: JSONValue]? {
        let path = cellDatabase(cell)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try RunStore(path: path, create: false).read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT config_json FROM run WHERE name = ?", arguments: [cell.name]),
                  case .object(let fields) = try JSONValue.parse(Data(json.utf8)) else { return nil }
            return fields
        }
    }

    /// Paths differ between machines (a cluster node, the head node) without changing the run.
    public static let machineSpecificKeys: Set<String> = ["world.dir", "policy.checkpoint"]

    /// Refuses to resume or reuse a cell stored with another config (e.g. the base config
    /// was edited since): its results would not be what the grid says.
    public func checkUnchanged(_ cell: AblationCell, config: [String: JSONValue]) throws {
        guard let stored = try storedConfig(of: cell) else { return }
        for key in Set(stored.keys).union(config.keys).subtracting(Self.machineSpecificKeys).sorted() where stored[key] != config[key] {
            func show(_ v: JSONValue?) -> String { v.flatMap { try? CanonicalJSON.string($0) } ?? "unset" }
            throw SearchLabError("cell \(cell.name) in \(cellsDirectory.path) was trained with \(key) = \(show(stored[key])), "
                                 + "the grid now gives \(show(config[key])); use another --db, or delete that cell")
        }
    }

    /// Deletes what a fresh start would otherwise trip over (a run without checkpoints).
    func clear(_ cell: AblationCell) {
        let db = cellDatabase(cell)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        try? FileManager.default.removeItem(atPath: db + ".checkpoints")
    }
}

/// Runs cells as child processes.
public struct AblationRunner: Sendable {
    /// The `searchlab` executable.
    public var executable: URL
    /// The grid's base config.
    public var baseConfig: String
    /// `--set` overrides every cell gets after the grid's `set:` and before its axes (e.g.
    /// world.dir, policy.checkpoint, or a shorter trainer.total_training_steps for a smoke run).
    public var commonOverrides: [String]
    public var layout: AblationLayout
    /// Processes at a time.
    public var jobs: Int
    /// While cells run, each one's latest step line is reported this often (seconds): a cell
    /// of a real grid trains for hours.
    public var heartbeat: Double = 60

    public init(executable: URL, baseConfig: String, commonOverrides: [String], layout: AblationLayout, jobs: Int) {
        self.executable = executable
        self.baseConfig = baseConfig
        self.commonOverrides = commonOverrides
        self.layout = layout
        self.jobs = max(1, jobs)
    }

    /// The `searchlab train` arguments of a cell.
    public func arguments(_ cell: AblationCell, resume: Bool) -> [String] {
        var args = ["train", "--config", baseConfig]
        for o in cell.overrides(after: commonOverrides) { args += ["--set", o] }
        args += ["--db", layout.cellDatabase(cell), "--name", cell.name]
        return resume ? args + ["--resume"] : args
    }

    /// Runs every unfinished cell; returns the names of cells whose process failed.
    /// `progress` gets the messages (starts, heartbeats, ends); `counts` gets (runs done,
    /// runs running, runs to do) whenever they change.
    public func run(_ cells: [AblationCell], progress: @escaping @Sendable (String) -> Void,
                    counts: (Int, Int, Int) -> Void = { _, _, _ in }) throws -> [String] {
        try FileManager.default.createDirectory(at: layout.cellsDirectory, withIntermediateDirectories: true)
        var pending: [(cell: AblationCell, resume: Bool)] = []
        for cell in cells {
            switch try layout.state(of: cell) {
            case .finished: progress("\(cell.name): finished, skipped")
            case .resumable: pending.append((cell, true))
            case .fresh: layout.clear(cell); pending.append((cell, false))
            }
        }
        let total = pending.count
        var running: [(cell: AblationCell, process: Process, started: Date)] = [], failed: [String] = [], done = 0
        let ended = DispatchSemaphore(value: 0)
        while !pending.isEmpty || !running.isEmpty {
            while running.count < jobs, !pending.isEmpty {
                let (cell, resume) = pending.removeFirst()
                let process = try launch(cell, resume: resume) { ended.signal() }
                running.append((cell, process, Date()))
                progress("[\(done + running.count)/\(total) started] \(cell.name): \(resume ? "resuming" : "starting")")
                counts(done, running.count, total)
            }
            if ended.wait(timeout: .now() + heartbeat) == .timedOut {
                for entry in running {
                    let line = lastLine(of: layout.cellLog(entry.cell))
                    progress("  \(entry.cell.name): \(line.hasPrefix("$ ") ? "loading (no step finished yet)" : line)")
                }
                continue
            }
            for entry in running where !entry.process.isRunning {
                done += 1
                let seconds = String(format: "%.1f", Date().timeIntervalSince(entry.started))
                if entry.process.terminationStatus == 0 {
                    progress("[\(done)/\(total) done] \(entry.cell.name): finished in \(seconds)s")
                } else {
                    failed.append(entry.cell.name)
                    progress("[\(done)/\(total) done] \(entry.cell.name): FAILED (exit \(entry.process.terminationStatus)) after \(seconds)s; "
                             + "see \(layout.cellLog(entry.cell)): \(lastLine(of: layout.cellLog(entry.cell)))")
                }
            }
            running.removeAll { !$0.process.isRunning }
            counts(done, running.count, total)
        }
        return failed
    }

    private func launch(_ cell: AblationCell, resume: Bool, onExit: @escaping @Sendable () -> Void) throws -> Process {
        let logPath = layout.cellLog(cell)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        log.write(Data("$ searchlab \(arguments(cell, resume: resume).joined(separator: " "))\n".utf8))
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments(cell, resume: resume)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.environment = Self.childEnvironment(ProcessInfo.processInfo.environment)
        process.terminationHandler = { _ in try? log.close(); onExit() }
        try process.run()
        return process
    }

    /// Cells run side by side, so each gets one BLAS thread unless the user chose otherwise;
    /// that also keeps a cell's sums in the same order wherever it runs (OpenBLAS's order
    /// depends on its thread count), so a cell resumed on another machine continues the same run.
    static func childEnvironment(_ environment: [String: String]) -> [String: String] {
        var environment = environment
        if environment["OPENBLAS_NUM_THREADS"] == nil { environment["OPENBLAS_NUM_THREADS"] = "1" }
        return environment
    }

    private func lastLine(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? "(empty log)"
    }
}
