// Wall time per phase of a training step, so the slow part of a step is visible.
import Foundation

/// Accumulates wall-clock seconds by phase name. Timing is the one thing in a run that is
/// not deterministic, which is why it lives only under `timing/*` metrics and never feeds
/// back into training.
public final class PhaseTimer {
    public private(set) var seconds: [String: Double] = [:]

    public init() {}

    /// Runs `body` and adds its wall time to `phase`.
    public func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(phase, since: start) }
        return try body()
    }

    /// The async form of ``measure(_:_:)``.
    public func measure<T>(_ phase: String, _ body: () async throws -> T) async rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(phase, since: start) }
        return try await body()
    }

    /// `timing/<phase>_s` for every phase measured.
    public var metrics: [String: Double] {
        seconds.reduce(into: [:]) { $0["timing/\($1.key)_s"] = $1.value }
    }

    private func add(_ phase: String, since start: UInt64) {
        seconds[phase, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
