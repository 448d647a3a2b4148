import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabTrainer

/// `searchlab pretrain`: the base policy that RL starts from.
struct PretrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Train the base policy on a world's corpus and on scripted demonstrations.",
        discussion: """
            Builds the tokenizer from the world's passages, questions and Search-R1's protocol \
            texts; rolls a scripted agent through every training question, once per \
            --demonstration-passes, against the world's BM25 engine (it follows the right search plan but answers without searching, searches \
            a decoy, answers with a decoy or skips a hop in about 70% of demonstrations); then \
            trains the language model on passages (packed, every token scored) and on whole \
            demonstrations (one per row from position 0, scored on the agent's own words only: \
            prompt and retrieved text are context, never targets) and writes a checkpoint \
            directory (model.safetensors, config.json, tokenizer.json, pretrain.json).

            The result plays the part of the paper's pretrained LLM: it knows the format and the \
            world's language but not a good search strategy. Measure it with `searchlab eval`.
            """)

    @Option(help: ArgumentHelp("World directory written by `searchlab world`.", valueName: "DIR"))
    var world: String

    @Option(help: ArgumentHelp("Checkpoint directory to write.", valueName: "CKPT"))
    var out: String

    @Option(help: "Model size: tiny, small or base.")
    var preset = "small"

    @Option(help: "Optimiser steps.")
    var steps = PretrainSettings().steps

    @Option(help: "Rows of one context length per step.")
    var batchRows = PretrainSettings().batchRows

    @Option(help: "Share of each step's rows that hold one whole demonstration, scored on the agent's words only (the rest: packed corpus text).")
    var demonstrationShare = PretrainSettings().demonstrationShare

    @Option(help: "Scripted demonstrations per training question, each with its own draw of mistakes.")
    var demonstrationPasses = PretrainSettings().demonstrationPasses

    @Option(help: "Peak learning rate (linear warm-up, cosine decay).")
    var lr = PretrainSettings().learningRate

    @Option(help: "Tokenizer vocabulary size.")
    var vocabSize = PretrainSettings().vocabSize

    @Option(help: "Seed of initialisation, demonstrations and data order.")
    var seed: UInt64 = 1

    @Flag(help: "No progress display (by default: one updating line on a terminal, a line every 25 steps otherwise).")
    var quiet = false

    func validate() throws {
        guard steps > 0, batchRows > 0, vocabSize > 300, lr > 0 else {
            throw ValidationError("--steps and --batch-rows must be positive, --vocab-size above 300, --lr positive")
        }
        guard demonstrationPasses > 0 else {
            throw ValidationError("--demonstration-passes must be positive, got \(demonstrationPasses)")
        }
        guard (0...1).contains(demonstrationShare) else {
            throw ValidationError("--demonstration-share must be between 0 and 1, got \(demonstrationShare)")
        }
    }

    func run() async throws {
        try await reportingErrorsAsync {
            let environment = try WorldEnvironment(directory: URL(fileURLWithPath: world))
            var settings = PretrainSettings()
            settings.preset = preset
            settings.steps = steps
            settings.batchRows = batchRows
            settings.learningRate = lr
            settings.demonstrationShare = demonstrationShare
            settings.demonstrationPasses = demonstrationPasses
            settings.vocabSize = vocabSize
            settings.seed = seed
            let engine = try environment.engine("bm25", seed: seed)
            let started = Date()
            let progress = ProgressLine("pretrain", total: steps, unit: "steps", quiet: quiet)
            progress.update(0, status: "demonstrations and tokenizer")
            let result = try await Pretrainer.run(
                corpus: try environment.corpus(), questions: environment.train, engine: engine, settings: settings,
                output: URL(fileURLWithPath: out)) { step, loss in
                    let text = "loss \(String(format: "%.4f", loss))"
                    progress.update(step + 1, status: text,
                                    line: step % 25 == 0 || step == steps - 1 ? "pretrain step \(step + 1)/\(steps)  \(text)" : nil)
                }
            progress.finish()
            let demoEM = Double(result.demonstrations.filter(\.outcome.exactMatch).count) / Double(max(1, result.demonstrations.count))
            let summary = PretrainSummary(settings: settings, checkpointDigest: result.checkpointDigest,
                                          losses: result.losses.map(Double.init), demonstrations: result.demonstrations.count,
                                          demonstrationEM: demoEM, tokensPerStep: result.tokensPerStep,
                                          seconds: Date().timeIntervalSince(started))
            try Data((try CanonicalJSON.prettyString(summary) + "\n").utf8)
                .write(to: URL(fileURLWithPath: out).appendingPathComponent("pretrain.json"), options: .atomic)
            Output.writeLines([
                "checkpoint \(out)  weights sha256 \(result.checkpointDigest)",
                "loss \(String(format: "%.4f", result.losses.first ?? 0)) → \(String(format: "%.4f", result.losses.last ?? 0)) over \(steps) steps; \(result.demonstrations.count) demonstrations (scripted EM \(String(format: "%.3f", demoEM)))",
            ])
        }
    }
}

/// `pretrain.json`: how a base checkpoint was made.
struct PretrainSummary: Codable {
    var settings: PretrainSettings
    var checkpointDigest: String
    var losses: [Double]
    var demonstrations: Int
    var demonstrationEM: Double
    var tokensPerStep: Int
    var seconds: Double
}
