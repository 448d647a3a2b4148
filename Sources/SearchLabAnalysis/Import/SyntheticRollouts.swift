// Deterministic synthetic rollouts for benchmarks: Search-R1-shaped trajectories with
// 0–3 searches of three documents each, drawn from `RandomStream(seed, "bench.rollout",
// step, question, sample)` so any trajectory can be regenerated on its own.
import Foundation
import SearchLabCore
import SearchLabStore

/// A generator of synthetic trajectories (benchmarks only; outcomes are set by construction).
public struct SyntheticRollouts: Sendable {
    public var seed: UInt64
    public var questions: Int
    public var samples: Int

    public init(seed: UInt64, questions: Int, samples: Int) {
        self.seed = seed
        self.questions = max(questions, 1)
        self.samples = max(samples, 1)
    }

    /// The `index`-th trajectory: step `index / (questions·samples)`, then question, then sample.
    public func trajectory(_ index: Int) -> (step: Int, trajectory: Trajectory) {
        let perStep = questions * samples
        let step = index / perStep, question = (index % perStep) / samples, sample = index % samples
        return (step, make(step: step, question: question, sample: sample))
    }

    func make(step: Int, question q: Int, sample: Int) -> Trajectory {
        var rng = RandomStream(seed: seed, purpose: "bench.rollout", UInt64(step), UInt64(q), UInt64(sample))
        let hops = 1 + q % 3
        let golden = "answer \(q)"
        let searches = rng.nextIndex(below: 4)
        var turns: [Turn] = []
        var retrieved = false
        for k in 0..<searches {
            let variant = rng.nextIndex(below: 3)
            let query = "entity \(q) relation \(k)" + (variant == 0 ? "" : " variant \(rng.nextIndex(below: 50))")
            let hit = rng.nextUnitDouble() < 0.4
            retrieved = retrieved || hit
            let documents = (1...3).map { rank in
                let doc = rng.nextIndex(below: 20_000)
                return RetrievedDocument(id: "doc-\(doc)", title: "\"Entity \(doc)\"",
                                         text: "Entity \(doc) is related to entity \(q)." + (hit && rank == 1 ? " The result is \(golden)." : ""),
                                         score: 20 - Double(rank), rank: rank)
            }
            let text = "<think>I need relation \(k) of entity \(q).</think>\n<search> \(query) </search>"
            turns.append(Turn(index: k, rawGeneration: text, text: text, action: .search(query),
                              observation: SearchR1Format.informationObservation(documents),
                              tokens: TokenCounts(generated: 24, kept: 24, observation: 96)))
        }
        if rng.nextUnitDouble() < 0.05 {
            let text = "I am not sure."
            turns.append(Turn(index: turns.count, rawGeneration: text, text: text, action: .invalid,
                              observation: SearchR1Format.invalidObservation, tokens: TokenCounts(generated: 5, kept: 5, observation: 40)))
        }
        let answers = rng.nextUnitDouble() < 0.95
        let correct = answers && rng.nextUnitDouble() < 0.25 + 0.2 * Double(searches) + (retrieved ? 0.2 : 0)
        if answers {
            let answer = correct ? golden : "answer \(q + 1)"
            let text = "<think>I can answer now.</think>\n<answer> \(answer) </answer>"
            turns.append(Turn(index: turns.count, rawGeneration: text, text: text, action: .answer(answer),
                              observation: nil, tokens: TokenCounts(generated: 16, kept: 16, observation: 0)))
        }
        let question = Question(id: "sq\(q)", dataSource: "sim-\(hops)hop", text: "What is relation of entity \(q)?",
                                goldenAnswers: [golden], sampleIndex: sample)
        let valid = turns.filter { $0.action.kind != .invalid }.count
        let outcome = Outcome(extractedAnswer: answers ? turns.last?.action.content : nil, exactMatch: correct,
                              formatValid: true, retrievalHit: retrieved, reward: correct ? 1 : 0,
                              searchCount: searches, validActionCount: valid, status: answers ? .finished : .cutOff)
        return Trajectory(question: question, prompt: "Question: What is relation of entity \(q)?\n", turns: turns,
                          outcome: outcome, provenance: Provenance(seed: seed, checkpointDigest: nil, sampling: nil,
                                                                   engineFingerprint: "synthetic", step: step))
    }
}

extension SyntheticRollouts {
    /// What storing synthetic rollouts cost.
    public struct Timing: Sendable {
        public var stored: Int
        /// Seconds spent building the trajectories in memory.
        public var generateSeconds: Double
        /// Seconds spent storing: canonical JSON, digests and derived counts (on all cores),
        /// then the write transactions.
        public var storeSeconds: Double
        /// The part of `storeSeconds` spent in the write transactions (the rest is waiting
        /// for the next batch to be prepared, and preparing the first).
        public var writeSeconds: Double = 0
        /// CPU seconds the writing thread used in those transactions: what the rate would be
        /// bounded by on an idle core, whatever else the machine is doing.
        public var writeCPUSeconds: (user: Double, system: Double) = (0, 0)
    }

    /// Stores `count` synthetic trajectories as a new run, one transaction per `batch` (the
    /// trainer's per-step path). 50,000 rather than fewer: each transaction rewrites thousands
    /// of pages of the indexes keyed by question whatever its size, so larger batches write
    /// each of those pages fewer times per trajectory.
    /// `progress` gets the number stored after each batch.
    public func store(count: Int, into store: RunStore, runName: String, batch: Int = 50_000,
                      codeVersion: String, progress: (Int) -> Void = { _ in }) throws -> Timing {
        let clock = ContinuousClock()
        let config = try CanonicalJSON.string(JSONValue.object([
            "generator": .string("synthetic"), "questions": .integer(Int64(questions)), "samples": .integer(Int64(samples)),
        ]))
        let run = try store.createRun(RunSpec(name: runName, source: "synthetic", configJSON: config, seed: seed,
                                              codeVersion: codeVersion))
        var timing = Timing(stored: 0, generateSeconds: 0, storeSeconds: 0)
        let starts = Array(stride(from: 0, to: count, by: batch))
        func generate(_ start: Int) -> [(step: Int, trajectory: Trajectory)] {
            var items: [(step: Int, trajectory: Trajectory)] = []
            timing.generateSeconds += clock.measure { items = (start..<min(start + batch, count)).map(trajectory) }.seconds
            return items
        }
        // Pipelined: while one batch is written (one core runs SQLite), the next is prepared
        // (canonical JSON, digests, counts) on the other cores.
        var writeSeconds = 0.0, writeCPUSeconds = (user: 0.0, system: 0.0)
        var items = starts.isEmpty ? [] : generate(starts[0])
        var prepared = try timed(&timing) { try PreparedTrajectory.prepareAll(items.map(\.trajectory)) }
        for k in starts.indices {
            let nextItems = k + 1 < starts.count ? generate(starts[k + 1]) : []
            let next = try timed(&timing) {
                // All cores: the writer now takes less time per batch than preparing does, so the
                // preparing threads get its core back as soon as the batch is written.
                let preparing = BackgroundResult { try PreparedTrajectory.prepareAll(nextItems.map(\.trajectory)) }
                let (current, runID, steps) = (prepared, run.id!, items.map(\.step))
                let cpuStart = Self.threadCPUSeconds()
                defer {
                    let cpuEnd = Self.threadCPUSeconds()
                    writeCPUSeconds.user += cpuEnd.user - cpuStart.user
                    writeCPUSeconds.system += cpuEnd.system - cpuStart.system
                }
                writeSeconds += try clock.measure {
                    try store.bulkWrite { writer in
                        _ = try writer.insert(contentsOf: current, steps: steps, runID: runID)
                    }
                }.seconds
                return try preparing.wait()
            }
            timing.stored += items.count
            progress(timing.stored)
            (items, prepared) = (nextItems, next)
        }
        // The last batches' checkpoints count: the rate is for data in the database file.
        try timed(&timing) { try store.finishBulkWrites() }
        timing.writeSeconds = writeSeconds
        timing.writeCPUSeconds = writeCPUSeconds
        return timing
    }

    /// Linux's `RUSAGE_THREAD`, which Glibc's Swift module does not export.
    static let rusageThread = __rusage_who_t(1)

    /// CPU time of the calling thread, user and system.
    static func threadCPUSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(Self.rusageThread, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    func timed<T>(_ timing: inout Timing, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { timing.storeSeconds += (ContinuousClock.now - start).seconds }
        return try body()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// A value computed on a background thread; ``wait()`` blocks until it is there.
final class BackgroundResult<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    /// The value, or the error the body threw. Call once.
    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}
