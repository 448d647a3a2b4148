// Errors that point at the input that caused them.

/// An input error with its place: `FILE:LINE: message` (or `FILE: message`).
///
/// Commands print it as `error: FILE:LINE: message` and exit non-zero; batch readers
/// collect them under `--keep-going`.
public struct LocatedError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (or `<stdin>`) the input came from.
    public var file: String
    /// 1-based line, when the input is line-oriented.
    public var line: Int?
    /// What was wrong and what was expected.
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// A plain, human-readable error from a library layer.
public struct SearchLabError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
