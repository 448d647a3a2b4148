// An ablation grid: a base training config, settings shared by every cell, and axes whose
// cartesian product (× seeds) gives the cells. Read from YAML with line numbers for errors.
import Foundation
import SearchLabCore
import Yams

/// One `key=value` config setting (the value as `--set` would read it).
public struct GridSetting: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The `--set` argument.
    public var override: String { "\(key)=\(value)" }
}

/// A grid file, parsed.
///
/// ```yaml
/// base: ../configs/grpo.yaml          # relative to the grid file
/// seeds: 3                            # default; `--seeds` overrides
/// set:                                # every cell
///   trainer.total_training_steps: 100
/// axes:
///   actor_rollout_ref.actor.state_masking: [true, false]   # one key, its values
///   algorithm:                                             # named variants, each a bundle
///     ppo: {algorithm.adv_estimator: gae, actor_rollout_ref.rollout.n_agent: 1}
///     grpo: {algorithm.adv_estimator: grpo}
/// ```
public struct AblationGrid: Sendable {
    /// One axis: named variants, each a list of settings.
    public struct Axis: Sendable {
        public var name: String
        public var variants: [(label: String, settings: [GridSetting])]
    }

    /// The grid file as named.
    public var file: String
    /// The base config, resolved against the grid file's directory.
    public var baseConfig: String
    /// Default number of seeds.
    public var seeds: Int
    /// Settings every cell gets (before the axes).
    public var shared: [GridSetting]
    public var axes: [Axis]

    /// The key the seed index sets in each cell.
    public static let seedKey = "trainer.seed"

    /// Parses grid YAML.
    /// - Parameter validate: checks one `key`/`value` (e.g. against the config schema) and
    ///   throws ``SearchLabError``; the error is reported at the value's line.
    /// - Throws: ``LocatedError`` `FILE:LINE: what was expected`.
    public init(yaml text: String, file: String,
                validate: (String, String) throws -> Void = { _, _ in }) throws {
        self.file = file
        var base: String?, seeds = 3, shared: [GridSetting] = [], axes: [Axis] = []
        try withoutActuallyEscaping(validate) { validate in
            let reader = GridYAML(file: file, validate: validate)
            for (keyNode, value) in try reader.mapping(try reader.root(text), context: "the grid") {
                switch try reader.key(keyNode) {
                case "base": base = try reader.scalar(value, context: "base")
                case "seeds": seeds = try reader.positiveInteger(value, context: "seeds")
                case "set": shared = try reader.settings(value, context: "set")
                case "axes": axes = try reader.axes(value)
                case let other:
                    throw LocatedError(file: file, line: reader.line(keyNode),
                                       message: "unknown grid field \(other); expected base, seeds, set or axes")
                }
            }
        }
        guard let base else { throw LocatedError(file: file, line: nil, message: "the grid names no base config (base: FILE.yaml)") }
        guard !axes.isEmpty else { throw LocatedError(file: file, line: nil, message: "the grid has no axes (axes: {KEY: [VALUES]})") }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        baseConfig = base.hasPrefix("/") ? base : directory.appendingPathComponent(base).standardized.path
        self.seeds = seeds
        self.shared = shared
        self.axes = axes
        try checkKeysAreDistinct()
    }

    /// Reads and parses a grid file.
    public static func load(_ path: String, validate: (String, String) throws -> Void = { _, _ in }) throws -> AblationGrid {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LocatedError(file: path, line: nil, message: FileManager.default.fileExists(atPath: path)
                               ? "not a readable UTF-8 file" : "the file does not exist")
        }
        return try AblationGrid(yaml: text, file: path, validate: validate)
    }

    /// An axis key set twice, or set both by `set:` and an axis, would make a cell ambiguous.
    private func checkKeysAreDistinct() throws {
        var owner: [String: String] = [:]
        for s in shared { owner[s.key] = "set" }
        for axis in axes {
            let keys = Set(axis.variants.flatMap { $0.settings.map(\.key) })
            for key in keys.sorted() {
                if key == Self.seedKey {
                    throw LocatedError(file: file, line: nil, message: "axis \(axis.name) sets \(key); seeds come from seeds:/--seeds")
                }
                if let other = owner[key] {
                    throw LocatedError(file: file, line: nil, message: "\(key) is set by both \(other) and axis \(axis.name)")
                }
                owner[key] = "axis \(axis.name)"
            }
        }
    }

    /// Every cell × seed, in a fixed order: axes vary in file order, the last fastest; seeds
    /// innermost.
    public func cells(seeds: Int? = nil) -> [AblationCell] {
        var combos: [[(label: String, settings: [GridSetting])]] = [[]]
        for axis in axes {
            combos = combos.flatMap { prefix in axis.variants.map { prefix + [$0] } }
        }
        return combos.flatMap { combo in
            (0..<(seeds ?? self.seeds)).map { seed in
                AblationCell(labels: combo.map(\.label), shared: shared, varied: combo.flatMap(\.settings), seed: seed)
            }
        }
    }
}

/// One run of a grid: the settings of one combination of axis variants, and a seed.
public struct AblationCell: Hashable, Sendable {
    /// The variant label of each axis.
    public var labels: [String]
    /// The grid's `set:` settings.
    public var shared: [GridSetting]
    /// Each axis's settings for this cell.
    public var varied: [GridSetting]
    public var seed: Int

    /// Shared then varied settings (without the seed).
    public var settings: [GridSetting] { shared + varied }

    /// The `--set` arguments of the cell's `train` command: the grid's shared settings, then
    /// `commandLine` (which may override them, e.g. a shorter run), then the axes and the seed.
    public func overrides(after commandLine: [String] = []) -> [String] {
        shared.map(\.override) + commandLine + varied.map(\.override) + ["\(AblationGrid.seedKey)=\(seed)"]
    }

    /// Keys the command line must not set: the axes' and the seed.
    public var reservedKeys: Set<String> { Set(varied.map(\.key) + [AblationGrid.seedKey]) }

    /// A run name from the cell's labels, a digest of its settings (so two grids that label
    /// different settings alike cannot collide) and the seed: `grpo_true-1a2b3c4d-s0`.
    public var name: String {
        let readable = String(labels.map(Self.sanitized).joined(separator: "_").prefix(48))
        let digestInput = settings.map(\.override).joined(separator: "\n")
        let digest = CanonicalJSON.sha256Hex(Data(digestInput.utf8)).prefix(8)
        return "\(readable.isEmpty ? "cell" : readable)-\(digest)-s\(seed)"
    }

    /// Run names allow letters, digits and `._-`.
    static func sanitized(_ label: String) -> String {
        String(label.unicodeScalars.map { s -> Character in
            let ok = (s.properties.isASCIIHexDigit || ("a"..."z").contains(s) || ("A"..."Z").contains(s)
                      || ("0"..."9").contains(s) || s == "." || s == "-")
            return ok ? Character(s) : "_"
        })
    }
}
