import ArgumentParser
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

extension ImportFormat: ExpressibleByArgument {}

/// `searchlab import`: rollout files → a run in the run database.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store rollouts (Search-R1 text, verl dumps, SearchLab JSON) as a run in a run database.",
        discussion: """
            Formats: search-r1 — JSON lines {"text", "golden_answers", "data_source", "id"|"index", \
            "step", "sample_index", "group_id"}, or raw decoded text (detected; see also search-r1-text); \
            verl-jsonl — verl rollout_data_dir {step}.jsonl lines {"input", "output", "gts", "score", \
            "step", …} (step from the line or the file name; "score" is kept as the reward); \
            searchlab-json — trajectories as `searchlab parse` writes them.

            --data names a FlashRAG/Search-R1 dataset (lines {"id", "question", "golden_answers"}) \
            that supplies golden answers and question ids by id or by question text.

            All files go in one transaction: the first bad line aborts with FILE:LINE and nothing \
            is stored, unless --keep-going, which stores the good lines and reports the bad ones. \
            Trajectory ids are printed as run:step:question:sample.
            """)

    @Argument(help: ArgumentHelp("Files to import.", valueName: "FILE"))
    var files: [String] = []

    @Option(help: "Input format: search-r1, search-r1-text, verl-jsonl or searchlab-json.")
    var format: ImportFormat?

    @Option(help: "Run database (created when missing).")
    var db: String

    @Option(name: .customLong("run"), help: "Run name (letters, digits, '.', '_', '-'); an existing imported run is extended.")
    var runName: String

    @Option(help: "FlashRAG/Search-R1 dataset file with golden answers by id.")
    var data: String?

    @Option(help: "Reward function used to score the trajectories: em, subem or format.")
    var scheme: SearchR1Reward.Scheme = .em

    @Flag(help: "Store the good lines and report the bad ones instead of stopping at the first.")
    var keepGoing = false

    @Flag(help: "No progress display (by default: one updating line on a terminal; the summary line always).")
    var quiet = false

    @OptionGroup(title: "Synthetic rollouts (benchmarks)")
    var synthetic: SyntheticOptions

    func validate() throws {
        if synthetic.synthetic != nil {
            if !files.isEmpty || format != nil { throw ValidationError("--synthetic takes no FILE and no --format") }
        } else {
            if files.isEmpty { throw ValidationError("give at least one FILE to import") }
            if format == nil { throw ValidationError("give --format search-r1, search-r1-text, verl-jsonl or searchlab-json") }
        }
    }

    func run() throws {
        try reportingErrors {
            try RunSpec.validate(name: runName)
            if let count = synthetic.synthetic {
                let store = try RunStore(path: db)
                let progress = ProgressLine("import", total: count, unit: "trajectories", quiet: quiet)
                let timing = try synthetic.generator.store(count: count, into: store, runName: runName,
                                                           codeVersion: SearchLabVersion.code) { progress.update($0) }
                progress.finish()
                let rate = Double(timing.stored) / max(timing.storeSeconds, 1e-9)
                Output.writeLines([
                    "imported \(timing.stored) synthetic trajectories into run \(runName) (\(db))",
                    String(format: "generated in %.3f s, stored in %.3f s: %.0f trajectories/s (%.3f s of it in SQL transactions, using %.3f s user + %.3f s system CPU of the writing thread)",
                           timing.generateSeconds, timing.storeSeconds, rate, timing.writeSeconds,
                           timing.writeCPUSeconds.user, timing.writeCPUSeconds.system),
                ])
                return
            }
            guard let format else { return }
            let sources = try files.map { try ImportSource(path: $0) }
            let dataset = try data.map { try DatasetAnswers(source: ImportSource(path: $0)) } ?? DatasetAnswers()
            let scoring = ScoringOptions(scheme: scheme, weights: scheme == .format ? .searchR1v03 : .init())
            let importer = Importer(format: format, scoring: scoring, dataset: dataset, keepGoing: keepGoing,
                                    codeVersion: SearchLabVersion.code)
            let store = try RunStore(path: db)
            let progress = ProgressLine("import", total: 0, unit: "records", quiet: quiet)
            let summary = try importer.run(sources, into: store, runName: runName) { stored, read in
                progress.setTotal(read)
                progress.update(stored)
            }
            progress.finish()
            Output.writeLines(["imported \(summary.stored) trajectories into run \(summary.runName) (\(db))"])
            try Output.finish(skipped: summary.skipped, total: summary.stored + summary.skipped.count)
        }
    }
}

/// `--synthetic N`: deterministic generated rollouts, for benchmarks.
struct SyntheticOptions: ParsableArguments {
    @Option(help: "Store N generated trajectories instead of reading files (one transaction per 50,000).")
    var synthetic: Int?

    @Option(help: "Questions per step of the synthetic run.")
    var questions: Int = 2_500

    @Option(help: "Samples per question (the GRPO group size) of the synthetic run.")
    var samples: Int = 4

    @Option(help: "Seed of the synthetic run.")
    var seed: UInt64 = 1

    var generator: SyntheticRollouts { SyntheticRollouts(seed: seed, questions: questions, samples: samples) }
}
