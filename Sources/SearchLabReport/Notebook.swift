// A Jupyter notebook (nbformat 4.5) written with deterministic bytes: stable cell ids,
// no timestamps, no execution counts, sorted keys.
import Foundation
import SearchLabCore

/// An nbformat 4.5 notebook.
public struct Notebook: Encodable, Sendable {
    public var cells: [Cell] = []
    /// Extra notebook-level metadata (e.g. what it was generated from).
    public var searchlab: [String: String] = [:]

    public init() {}

    /// One cell. `id` must be unique and stable across exports (it names a section).
    public struct Cell: Encodable, Sendable {
        public enum Kind: String, Encodable, Sendable { case markdown, code }
        public var kind: Kind
        public var id: String
        public var source: String
        public var outputs: [Output]

        enum CodingKeys: String, CodingKey { case kind = "cell_type", id, source, outputs, metadata, executionCount = "execution_count" }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(id, forKey: .id)
            try c.encode(Notebook.lines(source), forKey: .source)
            try c.encode([String: String](), forKey: .metadata)
            if kind == .code {
                try c.encode(outputs, forKey: .outputs)
                try c.encodeNil(forKey: .executionCount)
            }
        }
    }

    /// A pre-computed output, so the notebook reads well without being run.
    public enum Output: Encodable, Sendable {
        case stream(text: String)
        /// Rich display data keyed by MIME type (`image/svg+xml`, `text/html`, `text/plain`).
        case display([String: String])

        enum CodingKeys: String, CodingKey { case outputType = "output_type", name, text, data, metadata }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .stream(let text):
                try c.encode("stream", forKey: .outputType)
                try c.encode("stdout", forKey: .name)
                try c.encode(Notebook.lines(text), forKey: .text)
            case .display(let data):
                try c.encode("display_data", forKey: .outputType)
                try c.encode(data.mapValues(Notebook.lines), forKey: .data)
                try c.encode([String: String](), forKey: .metadata)
            }
        }
    }

    public mutating func markdown(_ id: String, _ text: String) {
        cells.append(Cell(kind: .markdown, id: id, source: text, outputs: []))
    }

    public mutating func code(_ id: String, _ source: String, outputs: [Output] = []) {
        cells.append(Cell(kind: .code, id: id, source: source, outputs: outputs))
    }

    enum CodingKeys: String, CodingKey { case cells, metadata, nbformat, nbformatMinor = "nbformat_minor" }

    struct Metadata: Encodable {
        var kernelspec = ["display_name": "Python 3", "language": "python", "name": "python3"]
        var language_info = ["name": "python"]
        var searchlab: [String: String]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cells, forKey: .cells)
        try c.encode(Metadata(searchlab: searchlab), forKey: .metadata)
        try c.encode(4, forKey: .nbformat)
        try c.encode(5, forKey: .nbformatMinor)
    }

    /// The notebook's bytes: pretty, sorted keys, trailing newline.
    /// - Throws: ``SearchLabError`` when two cells share an id or an id is not `[A-Za-z0-9_-]{1,64}`.
    public func serialized() throws -> String {
        var seen = Set<String>()
        for cell in cells {
            guard seen.insert(cell.id).inserted else { throw SearchLabError("duplicate notebook cell id \(cell.id)") }
            guard (1...64).contains(cell.id.unicodeScalars.count), cell.id.unicodeScalars.allSatisfy(Notebook.idCharacters.contains)
            else { throw SearchLabError("invalid notebook cell id \(cell.id): expected 1–64 of [A-Za-z0-9_-]") }
        }
        return try CanonicalJSON.prettyString(self) + "\n"
    }

    static let idCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".unicodeScalars)

    /// nbformat stores multi-line strings as lists of lines, each keeping its `\n`.
    static func lines(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for ch in text.unicodeScalars {
            current.unicodeScalars.append(ch)
            if ch == "\n" { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

/// Python literals for values a notebook's code needs (paths, run names): JSON strings are
/// valid Python string literals, so user text is data in the code, never code.
public enum PythonLiteral {
    public static func string(_ s: String) throws -> String {
        try CanonicalJSON.string([s]).dropFirst().dropLast().description
    }

    public static func strings(_ list: [String]) throws -> String {
        try CanonicalJSON.string(list)
    }

    /// A dict of strings (keys sorted): a JSON object is a valid Python dict literal.
    public static func object(_ map: [String: String]) throws -> String {
        try CanonicalJSON.string(map)
    }
}
