// JSON-lines input, split once for every reader so line numbers in errors always agree.
import Foundation

/// Splitting line-oriented input into numbered lines.
public enum NumberedLines {
    /// Non-blank lines with their 1-based numbers; a trailing `\r` is dropped, and lines of
    /// only spaces and tabs are skipped (their numbers still count).
    public static func split(_ data: Data) -> [(number: Int, bytes: Data)] {
        var out: [(Int, Data)] = []
        var number = 0
        for piece in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var line = Data(piece)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            out.append((number, line))
        }
        return out
    }
}
