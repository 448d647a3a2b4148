import ArgumentParser
import SearchLabBuildInfo
import SearchLabCore

/// The `searchlab` command: a thin shell over the SearchLab libraries.
@main
struct SearchLabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "searchlab",
        abstract: "A simulation-first lab for search-augmented reinforcement learning (Search-R1).",
        discussion: """
            SearchLab reproduces Search-R1's text protocol and rewards exactly, and analyses \
            decoded rollouts. Every command is deterministic: same inputs and seed, same bytes.
            """,
        version: SearchLabVersion.string,
        subcommands: [
            RewardCommand.self,
            ParseCommand.self,
            RenderCommand.self,
            ConfigCommand.self,
            WorldCommand.self,
            IndexCommand.self,
            SearchCommand.self,
            ServeCommand.self,
            ImportCommand.self,
            CountCommand.self,
            ScanCommand.self,
            DiffCommand.self,
            GraphCommand.self,
            ReplayCommand.self,
            BundleCommand.self,
            PretrainCommand.self,
            EvalCommand.self,
            TrainCommand.self,
            BenchPolicyCommand.self,
            AblateCommand.self,
            CompareCommand.self,
            MergeCommand.self,
            ExportCommand.self,
            ReportCommand.self,
        ])
}

/// The version printed by `searchlab --version`, and what runs record as their code.
enum SearchLabVersion {
    /// `0.1.0 (commit <hash>[, dirty tree])`.
    static var string: String { "\(BuildInfo.version) (commit \(BuildInfo.commit)\(BuildInfo.dirty ? ", dirty tree" : ""))" }
    /// `code_version` of the runs this binary writes (``BuildInfo/codeVersion``).
    static var code: String { BuildInfo.codeVersion }
}
