import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabReplay
import SearchLabStore

/// `searchlab bundle`: a portable folder that replays trajectories without their database.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write a portable replay bundle of trajectories, or check one.",
        discussion: """
            Writes to --out DIR (a new folder) what replaying each TRAJECTORY needs, and nothing \
            that has to stay on this machine: a small run database with the trajectory's run \
            specification and its whole rollout batch (every row of its step, with the step's \
            retrieval answers), the weights it was sampled with (rebuilt first if its step \
            saved none), and bundle.json: the bundle version, the SearchLab that wrote it and \
            the SHA-256 of every file. On another machine, `searchlab replay --bundle DIR \
            [TRAJECTORY] --verify` reproduces a trajectory byte for byte or names its first \
            divergence, from the bundle alone.

            --check DIR verifies a bundle: every file present and matching its digest, nothing \
            added, a version this SearchLab reads.
            """)

    @Argument(help: ArgumentHelp("Trajectories: store ids (42 or #42) or run:step:question:sample.", valueName: "TRAJECTORY"))
    var trajectories: [String] = []

    @Option(help: "Run database the trajectories are in.")
    var db: String?

    @Option(help: ArgumentHelp("The bundle folder to write (must not exist, or be empty).", valueName: "DIR"))
    var out: String?

    @Option(help: ArgumentHelp("Check this bundle instead of writing one.", valueName: "DIR"))
    var check: String?

    func validate() throws {
        if check != nil {
            guard trajectories.isEmpty, db == nil, out == nil else { throw ValidationError("--check DIR takes no trajectories, --db or --out") }
        } else {
            guard !trajectories.isEmpty, db != nil, out != nil else {
                throw ValidationError("name TRAJECTORY… with --db DB and --out DIR, or check a bundle with --check DIR")
            }
        }
    }

    func run() async throws {
        try await reportingErrorsAsync {
            if let check {
                let manifest = try ReplayBundle.check(URL(fileURLWithPath: check))
                Output.write("bundle \(check): version \(manifest.version), written by SearchLab \(manifest.writtenBy); "
                             + "\(manifest.files.count) files match their digests; trajectories: "
                             + manifest.entries.map(\.trajectory).joined(separator: ", ") + "\n")
                return
            }
            let store = try RunStore(path: db!, create: false)
            let refs = try trajectories.map { try TrajectoryRef(parsing: $0) }
            let manifest = try await ReplayBundle.write(refs, from: store, to: URL(fileURLWithPath: out!), writtenBy: SearchLabVersion.code)
            let count = manifest.entries.count
            Output.write("wrote bundle \(out!): \(count) \(count == 1 ? "trajectory" : "trajectories"), \(manifest.files.count) files; "
                         + "replay with `searchlab replay --bundle \(out!)\(manifest.entries.count > 1 ? " TRAJECTORY" : "") --verify`\n")
        }
    }
}
