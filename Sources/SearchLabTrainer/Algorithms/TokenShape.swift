// Token matrices: the shared layout of every per-token quantity the estimators and losses read.
//
// Glossary: B rows (one sequence each), L response positions. Every per-token array is flat,
// row-major, of length B·L: element (i, t) lives at index i·L + t. Masks hold 0 or 1.

/// The shape of a row-major token matrix: `rows` sequences × `length` response positions.
public struct TokenShape: Hashable, Sendable, Codable {
    /// B: the number of sequences.
    public let rows: Int
    /// L: the number of response positions per sequence (padded).
    public let length: Int

    public init(rows: Int, length: Int) {
        precondition(rows >= 0 && length >= 0, "TokenShape needs non-negative dimensions")
        self.rows = rows
        self.length = length
    }

    /// B·L, the length every per-token array must have.
    public var count: Int { rows * length }

    /// The flat index range of row `i`.
    @inlinable public func row(_ i: Int) -> Range<Int> { (i * length)..<((i + 1) * length) }

    /// Stops on a mis-sized array: a programmer error, not an input error.
    func check(_ array: [Double], _ name: StaticString) {
        precondition(array.count == count, "\(name) has \(array.count) elements, expected \(rows)×\(length)")
    }
}
