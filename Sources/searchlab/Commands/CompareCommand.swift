import ArgumentParser
import SearchLabReport
import SearchLabStore

/// `searchlab compare`: existing runs side by side, seeds pooled.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs: final test EM per data source, reward and searches, mean ± 95% interval.",
        discussion: """
            Runs whose configs differ only in trainer.seed form one cell; each cell's row gives, \
            for every headline metric, the mean over its runs of the run's last logged value and \
            the 95% interval half-width (Student t with n−1 degrees of freedom; none for one run). \
            Cells are labelled by the config keys that differ between them; * marks the cell with \
            the highest mean --metric. Runs in several databases: `searchlab merge` them first.
            """)

    @Argument(help: "Runs to compare (default: every run in the database).")
    var runs: [String] = []

    @Option(help: "Run database.")
    var db: String

    @Option(help: "The metric that picks the best cell.")
    var metric = "val/em"

    @Option(help: "Output format: table, csv or json.")
    var format: CountOutputFormat = .table

    func run() throws {
        try reportingErrors {
            let store = try RunStore(path: db, create: false)
            let names = runs.isEmpty ? try RunSummary.names(in: store) : runs
            let comparison = RunComparison(try RunSummary.load(names, from: store), primaryMetric: metric)
            ComparisonOutput.write(comparison, format: format)
        }
    }
}

/// Writing a comparison in the chosen format (the legend only under the text table).
enum ComparisonOutput {
    static func write(_ comparison: RunComparison, format: CountOutputFormat) {
        let table = comparison.table()
        switch format {
        case .table: Output.write(table.text() + comparison.legend + "\n")
        case .csv: Output.write(table.csv())
        case .json: Output.write((try? table.json()) ?? "[]\n")
        }
    }
}
