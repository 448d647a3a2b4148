import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabStore
import SearchLabTrainer

/// `searchlab train`: PPO or GRPO in the simulated world.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a policy with PPO or GRPO in a simulated world (Search-R1's loop).",
        discussion: """
            Reads a YAML config with verl's dotted keys (see `searchlab config docs`), applies \
            --set overrides, and runs trainer.total_training_steps steps: rollouts through \
            Search-R1's loop against retriever.engine, advantages (algorithm.adv_estimator), \
            clipped policy (and critic) updates, validation every trainer.test_freq steps. Every \
            step's metrics, trajectories, retrieval calls (its rollouts' and its validation's) and \
            checkpoint record go to the run database in one transaction; checkpoints go to \
            DB.checkpoints/NAME/step-N every trainer.save_freq steps (-1: only after the last \
            step) and at a --max-steps or --max-minutes stop. --resume continues from the newest \
            checkpoint the database records and redoes any step stored \
            after it, bit for bit as if the run had never stopped (timing/* metrics aside). \
            --resume refuses a changed config (only trainer.total_training_steps may change) or \
            world, and a second process training the same run is refused at once.

            Needs world.dir (a `searchlab world` directory) and policy.checkpoint (a \
            `searchlab pretrain` checkpoint).
            """)

    @Option(help: ArgumentHelp("Training config (YAML).", valueName: "FILE.yaml"))
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key: key=value (repeatable).", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Run database (created if missing).", valueName: "RUN.sqlite"))
    var db: String

    @Option(help: "Run name (unique in the database).")
    var name: String

    @Flag(help: "Continue the named run from its newest checkpoint.")
    var resume = false

    @Option(help: "Stop after this many steps in this invocation (the run continues with --resume).")
    var maxSteps: Int?

    @Option(help: ArgumentHelp("Stop after the step during which this much wall time has passed, with a checkpoint (the run continues with --resume).",
                               valueName: "MINUTES"))
    var maxMinutes: Double?

    @Flag(help: "No progress display (by default: one updating line on a terminal, a line per step otherwise).")
    var quiet = false

    func validate() throws {
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1, got \(maxSteps)") }
        if let maxMinutes, !(maxMinutes > 0) { throw ValidationError("--max-minutes must be positive, got \(maxMinutes)") }
    }

    func run() async throws {
        try await reportingErrorsAsync {
            let resolved = try ConfigLoader.resolve(file: config, overrides: overrides)
            let trainingConfig = try TrainingConfig(resolved)
            guard let worldDir = trainingConfig.worldDirectory else {
                throw SearchLabError("world.dir is not set: point it at a `searchlab world` directory (--set world.dir=DIR)")
            }
            let environment = try WorldEnvironment(directory: URL(fileURLWithPath: worldDir))
            // Input errors found before the database is opened leave no empty database behind.
            _ = try EpochBatches(questionCount: environment.train.count, batchSize: trainingConfig.trainBatchSize, seed: trainingConfig.seed)
            let store = try RunStore(path: db)
            let checkpoints = URL(fileURLWithPath: db + ".checkpoints").appendingPathComponent(name)
            let run = try TrainingRun(config: trainingConfig, resolved: resolved, environment: environment,
                                      store: store, name: name, checkpoints: checkpoints, resume: resume,
                                      codeVersion: SearchLabVersion.code)
            let total = trainingConfig.totalTrainingSteps
            var budget = maxSteps ?? Int.max
            let started = Date()
            let deadline = maxMinutes.map { started.addingTimeInterval($0 * 60) }
            let progress = ProgressLine("train", total: maxSteps.map { min(total, run.step + $0) } ?? total, unit: "steps", quiet: quiet, alreadyDone: run.step)
            var lastValidation: Double?
            defer { progress.finish() }
            progress.update(run.step, status: "first step (with validation before training, if set)")
            while run.step < total && budget > 0 {
                // The last step of a --max-steps budget ends with a checkpoint, so --resume goes on from it.
                let report = try await run.runStep(forceCheckpoint: budget == 1 && run.step + 1 < total)
                lastValidation = report.metrics["val/em"] ?? lastValidation
                progress.update(run.step, status: TrainProgress.status(report, validation: lastValidation),
                                line: TrainProgress.line(report, total: total))
                if !report.nonFinite.isEmpty {
                    progress.note("warning: step \(report.step + 1): \(report.nonFinite.joined(separator: ", ")) "
                                  + "not finite (stored in metric_nonfinite): the run is diverging")
                }
                budget -= 1
                if let deadline, Date() >= deadline, run.step < total {
                    // A checkpoint at the stop (unless the step just wrote one), so --resume picks up here.
                    if !report.checkpointSaved { try run.saveCheckpoint() }
                    progress.note("time limit: stopped after \(run.step) steps (\(String(format: "%.1f", Date().timeIntervalSince(started) / 60)) min)")
                    break
                }
            }
            progress.finish()
            Output.writeLines(["run \(name): \(run.step)/\(total) steps in \(db); checkpoints in \(checkpoints.path)"])
        }
    }
}

/// The progress display: one line per step with the live metrics, the wall time of each
/// phase (so the slow part is visible) and, after a validation, its EM per data source.
enum TrainProgress {
    /// The live line's metrics: reward and searches of this step, the latest validation EM.
    static func status(_ report: TrainingRun.StepReport, validation: Double?) -> String {
        let m = report.metrics
        func f(_ value: Double?, _ digits: Int) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        return "reward \(f(m["reward/mean"], 3))  val em \(f(validation, 3))  searches \(f(m["env/number_of_valid_search"], 2))"
    }

    static func line(_ report: TrainingRun.StepReport, total: Int) -> String {
        let m = report.metrics
        func f(_ key: String, _ digits: Int = 3) -> String { m[key].map { String(format: "%.\(digits)f", $0) } ?? "-" }
        func perSource(_ prefix: String) -> String {
            m.keys.filter { $0.hasPrefix(prefix + "sim-") }.sorted()
                .map { "\($0.dropFirst(prefix.count + 4)) \(f($0, 2))" }.joined(separator: " ")
        }
        var line = "step \(report.step + 1)/\(total)  reward \(f("reward/mean"))  em \(f("em/mean")) (\(perSource("em/")))"
        line += "  searches \(f("env/number_of_valid_search", 2))  valid \(f("env/ratio_of_valid_action", 2))"
        line += "  entropy \(f("actor/entropy_loss"))  kl \(f("actor/kl_loss", 4))  clip \(f("actor/pg_clipfrac"))"
        let phases = ["generation", "retrieval", "scoring", "backward", "optimizer"]
            .map { "\($0.prefix(3)) \(f("timing/\($0)_s", 1))" }.joined(separator: " ")
        line += "  \(f("timing/step_s", 1))s [\(phases)]"
        if m["val/em"] != nil { line += "  | val em \(f("val/em")) (\(perSource("val/em/")))" }
        return line
    }
}
