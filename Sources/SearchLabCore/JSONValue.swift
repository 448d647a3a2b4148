// A typed JSON value for reading user input field by field with precise errors.
import Foundation

/// Any JSON value, decoded without loss of its type.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses one JSON text (any value at top level).
    /// - Throws: ``SearchLabError`` saying what is wrong with the text.
    public static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw SearchLabError("not valid JSON (\(underlying ?? context.debugDescription))")
        } catch {
            throw SearchLabError("not valid JSON")
        }
    }

    /// "a string", "a list", … for error messages.
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

/// Typed access to the fields of a JSON object, with errors naming the field and the
/// expected type.
public struct JSONFields: Sendable {
    public let object: [String: JSONValue]

    /// - Throws: ``SearchLabError`` when `value` is not an object.
    public init(_ value: JSONValue, expected: String) throws {
        guard case .object(let object) = value else {
            throw SearchLabError("expected \(expected), got \(value.kindDescription)")
        }
        self.object = object
    }

    func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    public func string(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let s) = value else {
            throw SearchLabError("field \"\(key)\" must be a string, got \(value.kindDescription)")
        }
        return s
    }

    /// An integer; a string of digits is accepted too (ids are often written as strings).
    public func integer(_ key: String) throws -> Int? {
        guard let value = present(key) else { return nil }
        switch value {
        case .integer(let i): return Int(i)
        case .string(let s) where Int(s) != nil: return Int(s)
        default: throw SearchLabError("field \"\(key)\" must be an integer, got \(value.kindDescription)")
        }
    }

    /// An id-like value: a string, or an integer written as its decimal text.
    public func identifier(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        switch value {
        case .string(let s): return s
        case .integer(let i): return String(i)
        default: throw SearchLabError("field \"\(key)\" must be a string or an integer, got \(value.kindDescription)")
        }
    }

    /// A list of strings; a single string is accepted as a one-element list (as upstream's
    /// `em_check` does).
    public func strings(_ key: String) throws -> [String]? {
        guard let value = present(key) else { return nil }
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            return try items.enumerated().map { index, item in
                guard case .string(let s) = item else {
                    throw SearchLabError("field \"\(key)\"[\(index)] must be a string, got \(item.kindDescription)")
                }
                return s
            }
        default:
            throw SearchLabError("field \"\(key)\" must be a list of strings, got \(value.kindDescription)")
        }
    }

    /// A list of ids (strings, or integers written as decimal text).
    public func identifiers(_ key: String) throws -> [String]? {
        guard let value = present(key) else { return nil }
        guard case .array(let items) = value else {
            throw SearchLabError("field \"\(key)\" must be a list of ids, got \(value.kindDescription)")
        }
        return try items.enumerated().map { index, item in
            switch item {
            case .string(let s): return s
            case .integer(let i): return String(i)
            default: throw SearchLabError("field \"\(key)\"[\(index)] must be a string or an integer, got \(item.kindDescription)")
            }
        }
    }

    /// A nested object.
    public func object(_ key: String) throws -> JSONFields? {
        guard let value = present(key) else { return nil }
        return try JSONFields(value, expected: "field \"\(key)\" to be an object")
    }
}
