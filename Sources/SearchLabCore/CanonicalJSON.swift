// The canonical JSON form: what SearchLab writes to disk, hashes, and diffs.
import Crypto
import Foundation

/// Encodes values as canonical JSON and hashes them.
///
/// Canonical form: UTF-8, object keys sorted by code point, no insignificant
/// whitespace, `/` not escaped, numbers in the shortest decimal form that reads back
/// to the same `Double` (Swift's and Python's `repr` agree on this), integers without
/// a fraction. Non-finite floats are refused. Two equal values always give the same
/// bytes, so a SHA-256 of those bytes is a stable content digest.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    /// - Throws: `EncodingError` for non-finite floats or unencodable values.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try makeEncoder(pretty: false).encode(value)
    }

    /// The canonical text of `value`.
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// Sorted keys with indentation, for files people read; same key order as canonical.
    public static func prettyString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try makeEncoder(pretty: true).encode(value), as: UTF8.self)
    }

    /// The lowercase hex SHA-256 of the canonical bytes of `value`.
    public static func digest<T: Encodable>(_ value: T) throws -> String {
        sha256Hex(try encode(value))
    }

    /// The lowercase hex SHA-256 of `data`.
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func makeEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }
}
