import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabReport
import SearchLabStore

/// `searchlab report`: a static HTML site for one run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a run (works offline from the file system).",
        discussion: """
            DIR/index.html: run summary and config, metric plots (SVG), and the trajectories of \
            the last --steps steps, filterable by data source, outcome and number of searches. \
            DIR/t/ID.html: each trajectory's reasoning-search graph (Graphviz SVG), its turns and \
            a diff against another sample of its group. No CDN, no network: CSS, script and \
            images are inline, and a Content-Security-Policy forbids anything else. All text \
            from the database is escaped. DIR is replaced as a whole if it holds an earlier report; \
            any other non-empty DIR is refused. --limit caps the trajectories listed (default 500).
            """)

    @Option(help: "Run database.")
    var db: String

    @Option(name: .customLong("run"), help: "The run to report.")
    var runName: String

    @Option(help: ArgumentHelp("Folder to write (replaced).", valueName: "DIR"))
    var out: String

    @Option(help: "List the trajectories of this many last steps.")
    var steps = 1

    @OptionGroup
    var limit: LimitOption

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be 1 or more") }
    }

    func run() throws {
        try reportingErrors {
            let store = try RunStore(path: db, create: false)
            let files = try HTMLReport(store: store, run: runName, steps: steps, limit: limit.limit ?? 500).build(progress: Output.progress)
            try ExportFiles.replaceFolder(out, with: files.map { ($0.path, $0.data) }) { $0.allSatisfy(["index.html", "t"].contains) }
            Output.writeLines(["wrote \(out)/index.html and \(files.count - 1) trajectory pages"])
        }
    }
}
