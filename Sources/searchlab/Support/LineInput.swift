import Foundation
import SearchLabCore

/// A line-oriented input (a file or standard input) read whole, with 1-based line numbers
/// for error messages.
struct LineInput {
    /// `FILE` as the user named it, or `<stdin>`.
    let name: String
    let data: Data

    /// Reads `path` (`-` for standard input).
    /// - Throws: ``LocatedError`` when the file cannot be read.
    init(path: String) throws {
        if path == "-" {
            name = "<stdin>"
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            name = path
            guard let contents = FileManager.default.contents(atPath: path) else {
                let reason = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
                throw LocatedError(file: path, line: nil, message: "the file \(reason)")
            }
            data = contents
        }
    }

    /// The whole input as text.
    /// - Throws: ``LocatedError`` naming the first line that is not valid UTF-8.
    func text() throws -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        for (number, line) in lines() where String(data: line, encoding: .utf8) == nil {
            throw LocatedError(file: name, line: number, message: "not valid UTF-8 text")
        }
        throw LocatedError(file: name, line: nil, message: "not valid UTF-8 text")
    }

    /// Non-blank lines with their numbers (see `NumberedLines.split`).
    func lines() -> [(number: Int, bytes: Data)] { NumberedLines.split(data) }

    /// Parses every non-blank line as JSON and hands it to `transform`.
    ///
    /// All-or-nothing unless `keepGoing`: without it the first bad line stops the run and
    /// nothing is returned; with it bad lines are reported and skipped.
    func mapJSONLines<T>(keepGoing: Bool, _ transform: (JSONValue) throws -> T) throws -> (results: [T], errors: [LocatedError]) {
        var results: [T] = []
        var errors: [LocatedError] = []
        for (number, line) in lines() {
            do {
                guard String(data: line, encoding: .utf8) != nil else { throw SearchLabError("not valid UTF-8 text") }
                results.append(try transform(try JSONValue.parse(line)))
            } catch let error as SearchLabError {
                let located = LocatedError(file: name, line: number, message: error.message)
                if !keepGoing { throw located }
                errors.append(located)
            }
        }
        return (results, errors)
    }
}

