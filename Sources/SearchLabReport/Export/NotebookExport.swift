// `searchlab export notebook`: a run (and runs to compare) as a Jupyter notebook whose outputs
// are computed at export, so it reads well unexecuted, and whose code re-derives them from the
// run database when executed.
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

/// Builds the notebook of one run (and the runs it is compared with) from a run database.
public struct NotebookExport {
    public var store: RunStore
    /// The run the notebook is about.
    public var run: String
    /// Runs drawn next to it in the comparison section.
    public var compare: [String]
    /// The database path the code cells open, relative to the notebook's folder.
    public var databaseForCode: String
    /// The folder name (next to the notebook) that holds the trajectory graphs.
    public var graphsFolder: String
    /// Failing trajectories listed (and graphed).
    public var failingLimit = 20

    /// - Parameters:
    ///   - databaseForCode: the path the code cells open, relative to the notebook.
    ///   - graphsFolder: the folder name, beside the notebook, the graph links point into.
    public init(store: RunStore, run: String, compare: [String], databaseForCode: String, graphsFolder: String) {
        self.store = store
        self.run = run
        self.compare = compare
        self.databaseForCode = databaseForCode
        self.graphsFolder = graphsFolder
    }

    /// The notebook, and the graph SVGs it links to (file name → bytes).
    public func build(progress: (String) -> Void = { _ in }) throws -> (notebook: Notebook, graphs: [(name: String, svg: Data)]) {
        let data = try RunData.load(run, from: store)
        let others = try compare.map { try RunData.load($0, from: store) }
        var nb = Notebook()
        // What regenerating the notebook needs (the freshness test reads it back).
        nb.searchlab = ["generator": "searchlab export notebook", "run": run, "compare": compare.joined(separator: " "),
                        "database": databaseForCode]
        nb.markdown("title", Self.title(data, compare: compare))
        nb.code("setup", try NotebookCode.setup(database: databaseForCode, run: run, compare: compare, graphs: graphsFolder),
                outputs: [.stream(text: "\(run): \(data.stepCount) steps, \(data.curves.count) metrics\n")])
        nb.markdown("config-md", "## Configuration\n\nThe resolved training config stored with the run (verl's dotted keys; see `docs/config.md`).")
        nb.code("config", NotebookCode.config(), outputs: [.display(["text/plain": Self.configText(data)])])
        for spec in StandardPlots.all {
            progress("notebook: plot \(spec.id)")
            nb.markdown("\(spec.id)-md", "## \(spec.title)\n\n\(spec.explanation)")
            nb.code(spec.id, try NotebookCode.plot(spec), outputs: [Self.figure(spec.plot(data), alt: spec.title)])
        }
        if !others.isEmpty {
            nb.markdown("compare-md", "## Compared runs\n\nThe same metrics for \(([run] + compare).map(Self.md).joined(separator: ", ")), step by step (e.g. PPO against GRPO).")
            for (i, c) in StandardPlots.comparison.enumerated() {
                let plot = SVGLinePlot(title: c.title, xLabel: "step", yLabel: c.metric,
                                       series: ([data] + others).flatMap { r in r.series([c.metric]) { _ in r.record.name } })
                nb.code("compare-\(i)", try NotebookCode.compare(metric: c.metric, title: c.title), outputs: [Self.figure(plot, alt: c.title)])
            }
        }
        let failing = try TrajectoryRow.load(runID: data.record.id ?? 0, runName: run, from: store, failingOnly: true, limit: failingLimit)
        nb.markdown("failing-md", """
            ## Failing trajectories

            Up to \(failingLimit) trajectories of the last step whose answer did not match (EM 0), with the link to each one's \
            reasoning-search graph (rendered at export into \(Self.md(graphsFolder + "/")); `searchlab graph --db DB ID` draws any other).
            """)
        nb.code("failing", NotebookCode.failing(limit: failingLimit),
                outputs: [.display(["text/html": Self.failingHTML(failing, graphs: graphsFolder),
                                     "text/plain": Self.failingText(failing, graphs: graphsFolder)])])
        var graphs: [(String, Data)] = []
        for (i, row) in failing.enumerated() {
            if i % 10 == 0 { progress("notebook: graphs \(i + 1)…\(min(i + 10, failing.count)) of \(failing.count)") }
            let stored = try store.trajectories(ids: [row.id])[0]
            graphs.append((row.graphFile, try GraphvizRenderer.render(GraphBuilder.trajectory(stored).dot(), format: .svg)))
        }
        return (nb, graphs)
    }

    static func title(_ data: RunData, compare: [String]) -> String {
        let r = data.record
        var text = "# Run \(md(r.name))\n\nSource \(md(r.source)), \(data.stepCount) steps"
        if let seed = r.seed { text += ", seed \(seed)" }
        text += ", code version \(md(r.codeVersion))."
        if !compare.isEmpty { text += " Compared with \(compare.map(md).joined(separator: ", "))." }
        text += "\n\nExported by `searchlab export notebook`. Every output below was computed at export; running the notebook "
        text += "recomputes them from the run database with `sqlite3`, pandas and matplotlib."
        return text
    }

    /// Text from the database or the command line inside markdown: HTML-escaped (Jupyter renders
    /// HTML in markdown) and every markdown punctuation character backslash-escaped, so it can
    /// neither open a tag nor a link, code span or emphasis.
    static func md(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "<", ">", "&", "\"", "'": out += XMLText.escape(String(ch))
            case "\n", "\r", "\r\n": out += " "
            default:
                if "\\`*_{}[]()#+-.!|~".contains(ch) { out.append("\\") }
                out.append(ch)
            }
        }
        return out
    }

    static func figure(_ plot: SVGLinePlot, alt: String) -> Notebook.Output {
        .display(["image/svg+xml": plot.render(), "text/plain": "<figure: \(alt)>"])
    }

    static func configText(_ data: RunData) -> String {
        let width = data.config.map(\.key.count).max() ?? 0
        return data.config.map { $0.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.value }.joined(separator: "\n")
    }

    static let failingColumns = ["trajectory", "data_source", "searches", "answer", "golden", "question", "graph"]

    static func failingCells(_ row: TrajectoryRow, graphs: String) -> [String] {
        ["\(row.step):\(row.questionID):\(row.sampleIndex)", row.dataSource, String(row.searches), row.extractedAnswer ?? "None",
         row.goldenAnswers, row.question, "\(graphs)/\(row.graphFile)"]
    }

    static func failingText(_ rows: [TrajectoryRow], graphs: String) -> String {
        guard !rows.isEmpty else { return "(no failing trajectories)" }
        return ResultTable(columns: failingColumns, rows: rows.map { failingCells($0, graphs: graphs).map { .text(oneLine($0)) } }).text()
    }

    /// An HTML table; every cell escaped, the graph column a relative link.
    static func failingHTML(_ rows: [TrajectoryRow], graphs: String) -> String {
        var html = "<table>\n<thead><tr>" + failingColumns.map { "<th>\($0)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            let cells = failingCells(row, graphs: graphs)
            html += "<tr>" + cells.dropLast().map { "<td>\(XMLText.escape(oneLine($0)))</td>" }.joined()
            html += "<td><a href=\"\(XMLText.escape(cells.last!))\">graph</a></td></tr>\n"
        }
        return html + "</tbody>\n</table>"
    }

    static func oneLine(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 80 ? String(flat.prefix(79)) + "…" : flat
    }
}
