import ArgumentParser
import SearchLabCore
import SearchLabTrainer

/// `searchlab config`: resolve and document the training configuration.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Resolve a training config, or print the reference of every key.",
        subcommands: [Show.self, Docs.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the resolved training config (defaults, then FILE, then each --set) as JSON.",
            discussion: "Keys are verl's dotted names, sorted; --canonical prints the one-line form a run records.")

        @Option(help: ArgumentHelp("YAML config file.", valueName: "FILE"))
        var config: String?

        @Option(name: .customLong("set"), help: ArgumentHelp("Override one key, e.g. algorithm.gamma=0.99.", valueName: "KEY=VALUE"))
        var overrides: [String] = []

        @Flag(help: "One line of canonical JSON instead of indented JSON.")
        var canonical = false

        func run() throws {
            try reportingErrors {
                let resolved = try ConfigLoader.resolve(file: config, overrides: overrides)
                _ = try TrainingConfig(resolved)
                Output.writeLines([canonical ? try resolved.canonicalJSON() : try resolved.prettyJSON()])
            }
        }
    }

    struct Docs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the Markdown reference of every config key (docs/config.md).")

        func run() {
            Output.write(TrainingConfigSchema.markdownReference())
        }
    }
}
