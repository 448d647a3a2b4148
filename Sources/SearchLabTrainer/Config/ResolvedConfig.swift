// A complete, type-checked config: every schema key with its value.
import Foundation
import SearchLabCore

/// The training config after defaults, the YAML file and `--set` overrides, in that order.
public struct ResolvedConfig: Hashable, Sendable {
    /// Every schema key's value (defaults included).
    public private(set) var values: [String: ConfigValue]

    /// All defaults.
    public init() {
        values = Dictionary(uniqueKeysWithValues: TrainingConfigSchema.keys.map { ($0.name, $0.defaultValue) })
    }

    /// Sets a key from scalar text, checking name, type and bound.
    /// - Parameters:
    ///   - quoted: whether the text was a quoted YAML scalar (then it can only be a string).
    /// - Throws: ``SearchLabError`` naming the key: unknown (with the closest valid key),
    ///   a section rather than a key, or a value of the wrong type or out of range.
    public mutating func set(_ name: String, text: String, quoted: Bool = false) throws {
        let key = try ResolvedConfig.schemaKey(name)
        guard let value = key.type.read(text, quoted: quoted) else {
            throw SearchLabError("\(name): expected \(key.type.expectation), got \"\(text)\"")
        }
        if let expected = key.violation(value) {
            throw SearchLabError("\(name): must be \(expected), got \(value)")
        }
        values[name] = value
    }

    /// The schema entry for `name`.
    /// - Throws: ``SearchLabError`` for unknown names and section names.
    static func schemaKey(_ name: String) throws -> ConfigKey {
        if let key = TrainingConfigSchema.key(name) { return key }
        if TrainingConfigSchema.sections.contains(name) {
            let inside = TrainingConfigSchema.keys.map(\.name).filter { $0.hasPrefix(name + ".") }
            throw SearchLabError("\(name) is a section, not a key; its keys: \(inside.joined(separator: ", "))")
        }
        throw SearchLabError("unknown key \(name); did you mean \(KeySuggestion.closest(to: name))?")
    }

    /// Applies `--set key=value` (the value read as a plain YAML scalar).
    /// - Throws: ``SearchLabError`` prefixed with the override.
    public mutating func apply(override: String) throws {
        guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
            throw SearchLabError("--set \(override): expected KEY=VALUE")
        }
        let name = String(override[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(override[override.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        do {
            try set(name, text: text)
        } catch let error as SearchLabError {
            throw SearchLabError("--set \(override): \(error.message)")
        }
    }

    // MARK: - Typed access (the schema guarantees the types; a mismatch is a programmer error)

    /// The value of a boolean key.
    public subscript(bool name: String) -> Bool {
        guard case .bool(let b) = lookup(name) else { preconditionFailure("\(name) is not a bool key") }
        return b
    }

    /// The value of an integer key.
    public subscript(integer name: String) -> Int {
        guard case .integer(let i) = lookup(name) else { preconditionFailure("\(name) is not an integer key") }
        return i
    }

    /// The value of a number key.
    public subscript(number name: String) -> Double {
        switch lookup(name) {
        case .number(let d): return d
        case .integer(let i): return Double(i)
        default: preconditionFailure("\(name) is not a number key")
        }
    }

    /// The value of a number-or-null key.
    public subscript(optionalNumber name: String) -> Double? {
        switch lookup(name) {
        case .null: return nil
        case .number(let d): return d
        default: preconditionFailure("\(name) is not an optional number key")
        }
    }

    /// The value of a string or choice key.
    public subscript(string name: String) -> String {
        guard case .string(let s) = lookup(name) else { preconditionFailure("\(name) is not a string key") }
        return s
    }

    /// The value of a string-or-null key.
    public subscript(optionalString name: String) -> String? {
        switch lookup(name) {
        case .null: return nil
        case .string(let s): return s
        default: preconditionFailure("\(name) is not an optional string key")
        }
    }

    private func lookup(_ name: String) -> ConfigValue {
        guard let value = values[name] else { preconditionFailure("\(name) is not in the schema") }
        return value
    }

    // MARK: - Provenance

    /// The canonical JSON of every key (flat dotted names, sorted): the record of what a run used.
    public func canonicalJSON() throws -> String { try CanonicalJSON.string(values) }

    /// The same, indented for people.
    public func prettyJSON() throws -> String { try CanonicalJSON.prettyString(values) }

    /// Reads a dump written by ``canonicalJSON()`` back (for resuming a run), checking every key
    /// as if it came from a file.
    /// - Throws: ``SearchLabError`` for invalid JSON or any key the schema rejects.
    public init(canonicalJSON data: Data) throws {
        self.init()
        let fields = try JSONFields(JSONValue.parse(data), expected: "a config object")
        for name in fields.object.keys.sorted() {
            switch fields.object[name]! {
            case .null: try set(name, text: "null")
            case .bool(let b): try set(name, text: String(b))
            case .integer(let i): try set(name, text: String(i))
            case .number(let d): try set(name, text: String(d))
            case .string(let s): try set(name, text: s, quoted: true)
            case .array, .object: throw SearchLabError("\(name): expected a scalar")
            }
        }
    }

    /// SHA-256 of ``canonicalJSON()``.
    public func digest() throws -> String { try CanonicalJSON.digest(values) }
}

/// "Did you mean …" for unknown keys.
enum KeySuggestion {
    /// A key whose last component matches (a path typed in the wrong section), else the key
    /// nearest by edit distance; ties go to the longer common prefix, then to schema order.
    static func closest(to name: String) -> String {
        let names = TrainingConfigSchema.keys.map(\.name)
        let last = name.split(separator: ".").last.map(String.init) ?? name
        if let sameLeaf = names.first(where: { $0 == last || $0.hasSuffix("." + last) }) { return sameLeaf }
        var best = names[0], bestRank = (Int.max, 0)
        for candidate in names {
            let rank = (editDistance(name, candidate), -name.commonPrefix(with: candidate).count)
            if rank < bestRank { (best, bestRank) = (candidate, rank) }
        }
        return best
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
