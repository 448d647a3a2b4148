// The values and types of training-config keys.

/// One config value, as resolved from defaults, YAML and `--set`.
public enum ConfigValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        }
    }

    /// The value as a YAML reader would write it (`null`, `true`, `1e-06`, `gae`).
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return s
        }
    }
}

/// The type a config key accepts.
public indirect enum ConfigType: Hashable, Sendable {
    case bool
    case integer
    /// A real number; integers are accepted and widened.
    case number
    case string
    /// One of a fixed list of names.
    case choice([String])
    /// The wrapped type, or null.
    case optional(ConfigType)

    /// "a number", "one of gae, grpo", … for error messages and the reference.
    public var expectation: String {
        switch self {
        case .bool: return "true or false"
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .choice(let names): return "one of " + names.joined(separator: ", ")
        case .optional(let wrapped): return wrapped.expectation + ", or null"
        }
    }

    /// Reads a YAML scalar as this type.
    /// - Parameters:
    ///   - text: the scalar's text.
    ///   - quoted: whether it was quoted (a quoted scalar is always a string).
    /// - Returns: nil when the scalar is not of this type.
    func read(_ text: String, quoted: Bool) -> ConfigValue? {
        switch self {
        case .optional(let wrapped):
            if !quoted, ["null", "Null", "NULL", "~", ""].contains(text) { return .null }
            return wrapped.read(text, quoted: quoted)
        case .bool:
            guard !quoted else { return nil }
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return nil
            }
        case .integer:
            return quoted ? nil : Int(text).map(ConfigValue.integer)
        case .number:
            guard !quoted, let d = Double(text), d.isFinite else { return nil }
            return .number(d)
        case .string:
            return .string(text)
        case .choice(let names):
            return names.contains(text) ? .string(text) : nil
        }
    }
}

/// A range rule a numeric key must satisfy.
public enum ConfigBound: Hashable, Sendable {
    case positive
    case nonNegative
    /// In [0, 1].
    case unitInterval
    /// At least 1.
    case atLeastOne
    /// Strictly greater than 1.
    case greaterThanOne
    /// −1 (never) or at least 1.
    case neverOrPositive

    /// "greater than 0", … for error messages and the reference.
    public var expectation: String {
        switch self {
        case .positive: return "greater than 0"
        case .nonNegative: return "0 or more"
        case .unitInterval: return "between 0 and 1"
        case .atLeastOne: return "1 or more"
        case .greaterThanOne: return "greater than 1"
        case .neverOrPositive: return "-1 (never) or 1 or more"
        }
    }

    func admits(_ x: Double) -> Bool {
        switch self {
        case .positive: return x > 0
        case .nonNegative: return x >= 0
        case .unitInterval: return x >= 0 && x <= 1
        case .atLeastOne: return x >= 1
        case .greaterThanOne: return x > 1
        case .neverOrPositive: return x == -1 || x >= 1
        }
    }
}

/// One key of the training config: its dotted name, type, default and meaning.
public struct ConfigKey: Sendable {
    /// The dotted name, verl's where verl has the setting.
    public let name: String
    /// What values the key accepts.
    public let type: ConfigType
    /// The value when neither the file nor `--set` gives one.
    public let defaultValue: ConfigValue
    /// The range a numeric value must lie in, if any.
    public let bound: ConfigBound?
    /// One sentence for the reference, including where the default comes from.
    public let summary: String

    init(_ name: String, _ type: ConfigType, _ defaultValue: ConfigValue, _ bound: ConfigBound? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.bound = bound
        self.summary = summary
    }

    /// Checks a typed value against the bound.
    /// - Returns: what was expected, or nil when the value is admissible.
    func violation(_ value: ConfigValue) -> String? {
        guard let bound else { return nil }
        switch value {
        case .integer(let i) where !bound.admits(Double(i)): return bound.expectation
        case .number(let d) where !bound.admits(d): return bound.expectation
        default: return nil
        }
    }
}
