import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabReport
import SearchLabStore
import SearchLabTrainer

/// `searchlab ablate`: a grid of training runs × seeds, then their comparison.
struct AblateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "Train a grid of configs × seeds in parallel processes, then compare them (mean ± 95% interval).",
        discussion: """
            GRID.yaml names a base config (base:), settings for every cell (set:), axes (axes: \
            KEY: [VALUES] or NAME: {LABEL: {KEY: VALUE, …}}) and a default seed count (seeds:); \
            see fixtures/grids/ and docs/ablations.md. Each cell × seed is a `searchlab train` \
            process with its own database DB.cells/CELL.sqlite (log: CELL.log), CELL named from \
            the cell's labels, a digest of its settings and the seed; trainer.seed is the seed \
            index. Up to --jobs run at once. Running the command again skips finished cells and \
            resumes interrupted ones (--resume). Finished cells are then merged into DB and \
            compared as `searchlab compare` does. --list shows the cells and their commands (and \
            creates DB.cells/) without running them; \
            --cell runs only the named cells (one per cluster job) and skips the comparison.
            """)

    @Option(help: ArgumentHelp("The grid.", valueName: "GRID.yaml"))
    var grid: String

    @Option(help: "Seeds per cell (default: the grid's seeds:, else 3).")
    var seeds: Int?

    @Option(help: "Cells trained at the same time.")
    var jobs = 2

    @Option(help: ArgumentHelp("Database the finished cells are merged into; cells live in DB.cells/.", valueName: "DB"))
    var db: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key in every cell (e.g. world.dir), repeatable.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: "The metric that picks the best cell.")
    var metric = "val/em"

    @Option(name: .customLong("cell"), help: "Run only this cell (repeatable), e.g. from a cluster array job.")
    var onlyCells: [String] = []

    @Option(help: ArgumentHelp("While cells train, print each one's latest log line this often.", valueName: "SECONDS"))
    var heartbeat = 60.0

    @Flag(help: "List the cells, their state and their train command; run nothing.")
    var list = false

    @Flag(help: "No progress display (by default: the runs' start, heartbeat and end lines, under one updating count line on a terminal).")
    var quiet = false

    @Option(help: "Output format of the comparison: table, csv or json.")
    var format: CountOutputFormat = .table

    func validate() throws {
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be 1 or more") }
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
        if !(heartbeat > 0) { throw ValidationError("--heartbeat must be a positive number of seconds") }
    }

    func run() throws {
        try reportingErrors {
            let grid = try AblationGrid.load(self.grid) { key, value in
                var config = ResolvedConfig()
                try config.set(key, text: value)
            }
            var cells = grid.cells(seeds: seeds)
            let layout = AblationLayout(database: db)
            let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
            var runner = AblationRunner(executable: executable, baseConfig: grid.baseConfig, commonOverrides: overrides,
                                        layout: layout, jobs: jobs)
            runner.heartbeat = heartbeat
            if !onlyCells.isEmpty {
                let known = Set(cells.map(\.name))
                if let unknown = onlyCells.first(where: { !known.contains($0) }) {
                    throw SearchLabError("--cell \(unknown): no such cell in \(self.grid); see --list")
                }
                cells = cells.filter { onlyCells.contains($0.name) }
            }
            for cell in cells { try checkResolves(cell, base: grid.baseConfig, layout: layout) }
            if list {
                // The listed commands can be run by hand or by a scheduler: their folder must exist.
                try FileManager.default.createDirectory(at: layout.cellsDirectory, withIntermediateDirectories: true)
                return try AblationListing.write(cells, layout: layout, runner: runner)
            }
            let progress = ProgressLine("ablate", total: cells.count, unit: "runs", quiet: quiet)
            progress.note("ablate: \(cells.count) runs (\(cells.count / max(1, seeds ?? grid.seeds)) cells × \(seeds ?? grid.seeds) seeds), \(jobs) at a time, in \(layout.cellsDirectory.path)")
            let failed = try runner.run(cells, progress: { progress.note($0) }, counts: { done, running, total in
                progress.setTotal(total)
                progress.update(done, status: "\(running) running")
            })
            progress.finish()
            guard onlyCells.isEmpty else {
                if !failed.isEmpty { throw SearchLabError("\(failed.count) cells failed: \(failed.joined(separator: ", "))") }
                return
            }
            ComparisonOutput.write(try mergeAndCompare(cells, layout: layout), format: format)
            if !failed.isEmpty {
                throw SearchLabError("\(failed.count) of \(cells.count) runs failed (\(failed.joined(separator: ", "))); the table shows the finished ones; run again to retry")
            }
        }
    }

    /// Merges the finished cells into --db and compares them, labelled by their variants.
    private func mergeAndCompare(_ cells: [AblationCell], layout: AblationLayout) throws -> RunComparison {
        let finished = try cells.filter { try layout.state(of: $0) == .finished }
        _ = try RunMerge.merge(into: db, from: finished.map(layout.cellDatabase))
        let labels = Dictionary(uniqueKeysWithValues: finished.map { ($0.name, $0.labels.joined(separator: " ")) })
        return RunComparison(try RunSummary.load(finished.map(\.name), from: RunStore(path: db)), labels: labels, primaryMetric: metric)
    }

    /// Every cell's full config must load, and match what a started cell stored, before any
    /// process starts; the command line cannot set what the axes vary.
    private func checkResolves(_ cell: AblationCell, base: String, layout: AblationLayout) throws {
        for override in overrides {
            let key = String(override.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces)
            if cell.reservedKeys.contains(key) {
                throw SearchLabError("--set \(override): \(key) is \(key == AblationGrid.seedKey ? "the seed index (use --seeds)" : "an axis of the grid")")
            }
        }
        let resolved: ResolvedConfig
        do {
            resolved = try ConfigLoader.resolve(file: base, overrides: cell.overrides(after: overrides))
            _ = try TrainingConfig(resolved)
        } catch let error as SearchLabError {
            throw SearchLabError("cell \(cell.name): \(error.message)")
        }
        guard case .object(let config) = try JSONValue.parse(Data(try resolved.canonicalJSON().utf8)) else { return }
        try layout.checkUnchanged(cell, config: config)
    }
}

/// `ablate --list`: one line per cell, then its command.
enum AblationListing {
    static func write(_ cells: [AblationCell], layout: AblationLayout, runner: AblationRunner) throws {
        var lines: [String] = []
        for cell in cells {
            let state = try layout.state(of: cell)
            lines.append("\(cell.name)  \(state.rawValue)  \(cell.labels.joined(separator: " ")) seed \(cell.seed)")
            lines.append("  searchlab " + runner.arguments(cell, resume: state == .resumable).map(shellQuoted).joined(separator: " "))
        }
        Output.writeLines(lines)
    }

    static func shellQuoted(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@+".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
