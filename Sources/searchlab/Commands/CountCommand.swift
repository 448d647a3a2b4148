import ArgumentParser
import SearchLabAnalysis
import SearchLabStore

extension CountGrouping: ExpressibleByArgument {}

/// Output formats of `searchlab count`.
enum CountOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// `searchlab count`: search behaviour per run and group.
struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count search calls, valid and invalid actions, repeats and finishes per run and group.",
        discussion: """
            Columns: trajectories; em and mean reward; search actions per trajectory (mean) and \
            the distribution of answered searches (searches:trajectories); invalid actions; \
            repeated queries (same query, stripped and lowercased, asked again in a trajectory); \
            searches after the answer was already retrieved; trajectories whose retrieved text \
            held a golden answer that was not given; and Search-R1's logged env metrics \
            (env/number_of_actions/{mean,max,min}, env/finish_ratio, env/number_of_valid_action, \
            env/ratio_of_valid_action, env/number_of_valid_search) to check against a real run. \
            --by turn counts actions per turn index instead.
            """)

    @Option(help: "Run database.")
    var db: String

    @Option(name: .customLong("run"), help: "Runs to count (repeat for several; default all).")
    var runs: [String] = []

    @Option(help: "Group rows by run (default), step, data-source, hops, outcome or turn.")
    var by: CountGrouping = .run

    @Option(help: "Output format: table, csv or json.")
    var format: CountOutputFormat = .table

    func run() throws {
        try reportingErrors {
            let store = try RunStore(path: db, create: false)
            let table = try SearchCounts.table(store: store, runs: runs, by: by)
            switch format {
            case .table: Output.write(table.text())
            case .csv: Output.write(table.csv())
            case .json: Output.write(try table.json())
            }
        }
    }
}
