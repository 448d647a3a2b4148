import ArgumentParser
import SearchLabReport

/// `searchlab merge`: several run databases into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Copy every run of some run databases into one (e.g. the cells of a grid run on a cluster).",
        discussion: """
            OUT is created if missing. A run already in OUT with the same content (config, \
            metrics, trajectories; timings aside) is skipped, so merging again is harmless. A run \
            name held by a different run is refused before anything is written: names are part \
            of trajectory ids, so they are never changed silently; --prefix renames every \
            incoming run on purpose. Each input is copied in one transaction.
            """)

    @Argument(help: ArgumentHelp("The database to merge into.", valueName: "OUT.sqlite"))
    var output: String

    @Argument(help: ArgumentHelp("Databases to copy runs from.", valueName: "IN.sqlite"))
    var inputs: [String]

    @Option(help: "Prepend this to the name of every incoming run.")
    var prefix = ""

    func run() throws {
        try reportingErrors {
            let outcome = try RunMerge.merge(into: output, from: inputs, prefix: prefix, progress: Output.progress)
            Output.writeLines(["merged \(outcome.merged.count) runs into \(output)"
                               + (outcome.skipped.isEmpty ? "" : "; \(outcome.skipped.count) already there: \(outcome.skipped.joined(separator: ", "))")])
        }
    }
}
