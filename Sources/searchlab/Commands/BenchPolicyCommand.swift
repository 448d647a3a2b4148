import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabPolicy
import SearchLabTensor

/// `searchlab bench-policy`: measures the policy's training and generation throughput.
///
/// Used by `make bench-policy` (bench/policy/run.sh), which runs PyTorch on the same
/// architecture side by side and records the ratios in BENCHMARKS.md.
struct BenchPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-policy",
        abstract: "Measure policy training and generation throughput (one JSON line).",
        discussion: """
            Training: forward + backward + AdamW on random tokens, batch × seq tokens per step \
            (split into micro-batches with gradient accumulation). Generation: batch 32 prompts, \
            KV cache, temperature 1. Also measures this machine's cblas_sgemm peak (1024³) and \
            the peak resident memory.
            """)

    @Option(help: "Model size: tiny, small or base.") var config = "small"
    @Option(help: "Vocabulary size.") var vocab = 8192
    @Option(help: "Sequences per optimiser step.") var batch = 8
    @Option(help: "Tokens per sequence.") var seq = 256
    @Option(help: "Sequences per forward/backward (gradient accumulation).") var microBatch = 8
    @Option(help: "Timed training steps (after one warm-up).") var steps = 3
    @Option(help: "Prompts generated together.") var genBatch = 32
    @Option(help: "Prompt length.") var genPrompt = 16
    @Option(help: "New tokens per prompt.") var genTokens = 64
    @Flag(help: "Skip the generation measurement.") var noGeneration = false

    func run() throws {
        try reportingErrors {
            guard var cfg = TransformerConfig.named(config, vocabSize: vocab) else {
                throw SearchLabError("--config must be tiny, small or base (got \(config))")
            }
            cfg.contextLength = max(cfg.contextLength, seq, genPrompt + genTokens)
            guard batch % microBatch == 0 else { throw SearchLabError("--batch must be a multiple of --micro-batch") }
            let model = try Transformer(config: cfg)
            model.initialize(seed: 1)
            var result: [String: JSONValue] = [
                "config": .string(config), "params": .integer(Int64(model.layout.count)),
                "batch": .integer(Int64(batch)), "seq": .integer(Int64(seq)), "micro_batch": .integer(Int64(microBatch)),
                "blas_threads": .integer(Int64(Tensor.blasThreads)),
            ]
            let train = measureTraining(model)
            result["train_tokens_per_s"] = .number(train.tokensPerSecond)
            result["train_gflops"] = .number(train.gflops)
            result["sgemm_peak_gflops"] = .number(Self.sgemmPeak())
            if !noGeneration {
                let (tokensPerSecond, generated) = try measureGeneration(model)
                result["gen_tokens_per_s"] = .number(tokensPerSecond)
                result["gen_tokens"] = .integer(Int64(generated))
            }
            result["peak_rss_mb"] = .number(Self.peakRSSMegabytes())
            Output.writeLines([try CanonicalJSON.string(JSONValue.object(result))])
        }
    }

    func measureTraining(_ model: Transformer) -> (tokensPerSecond: Double, gflops: Double) {
        let opt = AdamW(parameterCount: model.layout.count)
        var rng = RandomStream(seed: 1, purpose: "bench.tokens")
        let micro = (0..<(batch / microBatch)).map { _ in
            TokenBatch(sequences: (0..<microBatch).map { _ in (0..<seq).map { _ in rng.nextIndex(below: vocab) } })
        }
        func step() {
            model.zeroGradients()
            for m in micro { _ = model.languageModelStep(m, scale: 1 / Float(micro.count)) }
            AdamW.clipGradientNorm(model.gradients, maxNorm: 1)
            opt.update(parameters: model.parameters, gradients: model.gradients, learningRate: 1e-4,
                       decayed: model.layout.decayedRanges)
        }
        step()
        var times: [Double] = []
        for _ in 0..<steps { times.append(Self.seconds(step)) }
        let median = times.sorted()[times.count / 2]
        let tokens = Double(batch * seq)
        let c = model.config
        // 6·N per token for the matmuls (N excludes the position table), plus attention's
        // QKᵀ and AV: 6 · 2·L·T·C per token counting the full T×T products we compute
        let n = Double(model.layout.count - c.contextLength * c.width)
        let flopsPerToken = 6 * n + 12 * Double(c.depth * seq * c.width)
        return (tokens / median, flopsPerToken * tokens / median / 1e9)
    }

    func measureGeneration(_ model: Transformer) throws -> (Double, Int) {
        var rng = RandomStream(seed: 2, purpose: "bench.prompts")
        let prompts = (0..<genBatch).map { _ in (0..<genPrompt).map { _ in rng.nextIndex(below: vocab) } }
        let settings = SamplingSettings(temperature: 1, topP: 1, maxNewTokens: genTokens, stopStrings: [])
        let sampler = Sampler(model: model, tokenizer: nil)
        var generated = 0
        let time = try Self.secondsThrowing {
            generated = try sampler.generate(prompts: prompts, settings: settings, seed: 3).reduce(0) { $0 + $1.tokens.count }
        }
        return (Double(generated) / time, generated)
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func secondsThrowing(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Best of 5 `cblas_sgemm` calls at 1024³, in GFLOP/s.
    static func sgemmPeak() -> Double {
        let n = 1024
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0..<6 {
            best = min(best, seconds {
                Tensor.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a.pointer, lda: n,
                            b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
            })
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// VmHWM from /proc/self/status (Linux), in MiB; 0 where unavailable.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }
}
