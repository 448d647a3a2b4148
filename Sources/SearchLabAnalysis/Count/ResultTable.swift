// A small table of results, written as aligned text, CSV or JSON.
import Foundation
import SearchLabCore

/// One cell of a result table.
public enum TableValue: Hashable, Sendable {
    case text(String)
    case integer(Int64)
    case real(Double)
    /// A count per value, e.g. trajectories per number of searches.
    case histogram([(value: Int64, count: Int64)])
    case missing

    public static func == (a: TableValue, b: TableValue) -> Bool { a.plain == b.plain }
    public func hash(into hasher: inout Hasher) { hasher.combine(plain) }

    /// Text for tables and CSV: reals to 4 decimals, histograms as `value:count` pairs.
    public var plain: String {
        switch self {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(format: "%.4f", d)
        case .histogram(let pairs): return pairs.map { "\($0.value):\($0.count)" }.joined(separator: " ")
        case .missing: return "-"
        }
    }

    var json: JSONValue {
        switch self {
        case .text(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .real(let d): return .number(d)
        case .histogram(let pairs):
            return .object(Dictionary(uniqueKeysWithValues: pairs.map { (String($0.value), JSONValue.integer($0.count)) }))
        case .missing: return .null
        }
    }
}

/// Rows under named columns.
public struct ResultTable: Sendable {
    public var columns: [String]
    public var rows: [[TableValue]]

    public init(columns: [String], rows: [[TableValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Aligned columns; numbers right-aligned.
    public func text() -> String {
        let cells = [columns] + rows.map { $0.map(\.plain) }
        let widths = columns.indices.map { c in cells.map { $0[c].count }.max() ?? 0 }
        return cells.enumerated().map { r, row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                let numeric: Bool
                if r == 0 { numeric = false } else if case .text = rows[r - 1][c] { numeric = false } else { numeric = true }
                return numeric ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV.
    public func csv() -> String {
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([columns] + rows.map { $0.map(\.plain) }).map { $0.map(quote).joined(separator: ",") }
            .joined(separator: "\n") + "\n"
    }

    /// One canonical JSON object per row, in a JSON list.
    public func json() throws -> String {
        let objects = rows.map { row in
            JSONValue.object(Dictionary(uniqueKeysWithValues: zip(columns, row.map(\.json))))
        }
        return try CanonicalJSON.string(JSONValue.array(objects)) + "\n"
    }
}
