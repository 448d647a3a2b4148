import ArgumentParser
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

extension GraphFormat: ExpressibleByArgument {}

/// `searchlab graph`: reasoning-search graphs rendered by the Graphviz library.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a trajectory, a GRPO group or a run's action state machine with Graphviz.",
        discussion: """
            TRAJECTORY (store id or run:step:question:sample): think → search (query) → documents \
            (gold-highlighted when they contain a golden answer) → … → answer. --group GROUP: the \
            group's rollouts merged into a prefix tree of actions, leaves coloured by reward with \
            their GRPO advantage. --run R [--step N]: the state machine of actions with transition \
            counts and rates. Rendered in-process through libgvc (no `dot` needed); the file is \
            written atomically.
            """)

    @Argument(help: ArgumentHelp("Trajectory to draw.", valueName: "TRAJECTORY"))
    var trajectory: String?

    @Option(help: "Run database.")
    var db: String

    @Option(help: "Draw the GRPO group with this id (a question id unless the input set group_id).")
    var group: String?

    @Option(name: .customLong("run"), help: "Draw this run's action state machine (or narrow --group to this run).")
    var runName: String?

    @Option(help: "Restrict --run or --group to one step.")
    var step: Int?

    @Option(help: "Output format: svg, png, pdf or dot.")
    var format: GraphFormat = .svg

    @Option(help: "Output file.")
    var out: String

    func validate() throws {
        let modes = [trajectory != nil, group != nil, runName != nil && group == nil].filter { $0 }.count
        if modes != 1 { throw ValidationError("give exactly one of TRAJECTORY, --group GROUP or --run RUN") }
    }

    func run() throws {
        try reportingErrors {
            let store = try RunStore(path: db, create: false)
            let graph: DotGraph
            if let trajectory {
                graph = GraphBuilder.trajectory(try store.trajectory(TrajectoryRef(parsing: trajectory)))
            } else if let group {
                graph = GraphBuilder.group(try GraphBuilder.loadGroup(store: store, group: group, run: runName, step: step))
            } else {
                let title = "run \(runName!)" + (step.map { " step \($0)" } ?? "")
                graph = GraphBuilder.stateMachine(try GraphBuilder.transitions(store: store, run: runName!, step: step), title: title)
            }
            try GraphvizRenderer.write(graph.dot(), format: format, to: out)
        }
    }
}
