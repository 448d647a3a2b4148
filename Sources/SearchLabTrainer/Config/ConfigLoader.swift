// Reading the training config from YAML (nested maps, dotted keys, or both) and `--set`.
import Foundation
import SearchLabCore
import Yams

/// Builds a ``ResolvedConfig`` from a YAML file and `--set` overrides.
public enum ConfigLoader {
    /// Defaults, then the YAML file (if any), then each `--set KEY=VALUE` in order.
    /// - Throws: ``LocatedError`` (`FILE:LINE: key: what was expected`) for file problems,
    ///   ``SearchLabError`` for overrides.
    public static func resolve(file: String?, overrides: [String]) throws -> ResolvedConfig {
        var config = ResolvedConfig()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw LocatedError(file: file, line: nil, message: "cannot read the config file")
            }
            try apply(yaml: text, file: file, to: &config)
        }
        for override in overrides { try config.apply(override: override) }
        return config
    }

    /// Applies a YAML document. Keys may nest (`algorithm: {gamma: 1}`) or be dotted
    /// (`algorithm.gamma: 1`) at any level; setting one key twice is an error.
    public static func apply(yaml text: String, file: String, to config: inout ResolvedConfig) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw located(error, file: file)
        }
        guard let root else { return }   // an empty file: all defaults
        guard case .mapping(let mapping) = root else {
            throw LocatedError(file: file, line: root.mark?.line, message: "expected a mapping of config keys at the top level")
        }
        var seen: [String: Int] = [:]
        try walk(mapping, prefix: "", file: file, config: &config, seen: &seen)
    }

    private static func walk(_ mapping: Node.Mapping, prefix: String, file: String,
                             config: inout ResolvedConfig, seen: inout [String: Int]) throws {
        for (keyNode, value) in mapping {
            let line = keyNode.mark?.line
            guard case .scalar(let keyScalar) = keyNode else {
                throw LocatedError(file: file, line: line, message: "expected a key name")
            }
            let name = prefix + keyScalar.string
            let fail = { (message: String) in LocatedError(file: file, line: value.mark?.line ?? line, message: message) }
            if TrainingConfigSchema.key(name) == nil, TrainingConfigSchema.sections.contains(name) {
                switch value {
                case .mapping(let inner): try walk(inner, prefix: name + ".", file: file, config: &config, seen: &seen)
                case .scalar(let s) where s.string.isEmpty || s.string == "~" || s.string == "null": continue
                default: throw fail("\(name) is a section; expected a mapping of its keys")
                }
                continue
            }
            guard case .scalar(let scalar) = value else {
                // An unknown name gets the unknown-key message; a known one the type message.
                _ = try wrap(fail) { try ResolvedConfig.schemaKey(name) }
                throw fail("\(name): expected \(TrainingConfigSchema.key(name)!.type.expectation), got a \(value.isMapping ? "mapping" : "list")")
            }
            if let first = seen[name] {
                throw fail("\(name) is set twice (first on line \(first))")
            }
            seen[name] = line ?? 0
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            try wrap(fail) { try config.set(name, text: scalar.string, quoted: quoted) }
        }
    }

    /// Runs `body`, turning a ``SearchLabError`` into a located one.
    @discardableResult
    private static func wrap<T>(_ fail: (String) -> LocatedError, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SearchLabError {
            throw fail(error.message)
        }
    }

    /// A Yams error as `FILE:LINE: invalid YAML: problem`.
    static func located(_ error: YamlError, file: String) -> LocatedError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return LocatedError(file: file, line: mark.line, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return LocatedError(file: file, line: context.mark.line,
                                message: "key set twice in one mapping: \(duplicates.sorted().joined(separator: ", "))")
        default:
            return LocatedError(file: file, line: nil, message: "invalid YAML: \(error)")
        }
    }
}

extension Node {
    fileprivate var isMapping: Bool {
        if case .mapping = self { return true }
        return false
    }
}
