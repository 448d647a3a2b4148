import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabReport
import SearchLabStore

/// `searchlab export`: runs in formats other tools read.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a run in a format other tools read.",
        subcommands: [ExportNotebookCommand.self])
}

/// `searchlab export notebook`: a run as a Jupyter notebook.
struct ExportNotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Export a run as a Jupyter notebook (nbformat 4.5) with pre-computed outputs.",
        discussion: """
            Sections: configuration; training reward and EM per data source; test EM; search calls \
            per step; response length with and without information tokens; KL, entropy and clip \
            fraction; the --compare runs side by side; failing trajectories of the last step with \
            links to their graphs (SVGs written to NAME.graphs/ next to the notebook). Outputs are \
            computed at export (SVG plots, tables), so the notebook reads well unexecuted; its code \
            cells recompute them from the database with sqlite3, pandas and matplotlib. The bytes \
            depend only on the database and the arguments: cell ids are stable, nothing is timed.
            """)

    @Option(help: "Run database.")
    var db: String

    @Option(name: .customLong("run"), help: "The run to export.")
    var runName: String

    @Option(help: "Runs to compare with it (repeatable).")
    var compare: [String] = []

    @Option(help: ArgumentHelp("The notebook to write.", valueName: "NAME.ipynb"))
    var out: String

    @Option(help: ArgumentHelp("The database path the code cells open (default: --db relative to the notebook's folder).", valueName: "PATH"))
    var notebookDb: String?

    func run() throws {
        try reportingErrors {
            guard out.hasSuffix(".ipynb") else { throw SearchLabError("--out \(out): expected a NAME.ipynb path") }
            let store = try RunStore(path: db, create: false)
            let outURL = URL(fileURLWithPath: out)
            let folder = outURL.deletingLastPathComponent().path
            let graphs = outURL.deletingPathExtension().lastPathComponent + ".graphs"
            let export = NotebookExport(store: store, run: runName, compare: compare,
                                        databaseForCode: notebookDb ?? ExportFiles.relativePath(of: db, from: folder),
                                        graphsFolder: graphs)
            let (notebook, svgs) = try export.build(progress: Output.progress)
            try ExportFiles.replaceFolder(outURL.deletingLastPathComponent().appendingPathComponent(graphs).path,
                                          with: svgs.map { ($0.name, $0.svg) }) { names in
                names.allSatisfy { $0.hasPrefix("trajectory-") && $0.hasSuffix(".svg") }
            }
            try ExportFiles.write(Data(try notebook.serialized().utf8), to: out)
            Output.writeLines(["wrote \(out) (\(notebook.cells.count) cells) and \(svgs.count) graphs in \(graphs)/"])
        }
    }
}
