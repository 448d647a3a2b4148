import ArgumentParser
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

/// `searchlab diff`: two trajectories turn by turn, or two runs question by question.
struct DiffCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two trajectories turn by turn, or two runs question by question.",
        discussion: """
            Trajectories are named by store id (42 or #42) or run:step:question:sample. The text \
            form is coloured on a terminal (not when piped or with NO_COLOR set); --format json \
            is for tools. With --run-a and --run-b, the questions both runs answered are compared \
            (each run's trajectory at its highest step, lowest sample): which flipped right→wrong \
            or wrong→right, and why (different query, different documents, no answer, same \
            documents but a different answer).
            """)

    @Argument(help: ArgumentHelp("Trajectory A and trajectory B.", valueName: "TRAJECTORY"))
    var trajectories: [String] = []

    @Option(help: "Run database.")
    var db: String

    @Option(name: .customLong("run-a"), help: "Run A, for a run-vs-run diff.")
    var runA: String?

    @Option(name: .customLong("run-b"), help: "Run B, for a run-vs-run diff.")
    var runB: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        let runs = runA != nil || runB != nil
        if runs && (runA == nil || runB == nil) { throw ValidationError("give both --run-a and --run-b") }
        if runs && !trajectories.isEmpty { throw ValidationError("give either two trajectories or --run-a/--run-b, not both") }
        if !runs && trajectories.count != 2 { throw ValidationError("give two trajectories (A B), or --run-a and --run-b") }
    }

    func run() throws {
        try reportingErrors {
            let store = try RunStore(path: db, create: false)
            let palette = Palette(enabled: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
            if let runA, let runB {
                let diff = try RunDiff(store: store, a: runA, b: runB)
                Output.write(format == .json ? try CanonicalJSON.string(diff) + "\n" : diff.text(palette: palette))
                return
            }
            let a = try store.trajectory(TrajectoryRef(parsing: trajectories[0]))
            let b = try store.trajectory(TrajectoryRef(parsing: trajectories[1]))
            let diff = TrajectoryDiff(a, b)
            Output.write(format == .json ? try CanonicalJSON.string(diff) + "\n" : diff.text(palette: palette))
        }
    }
}
