// A graph in DOT, built from data so that no trajectory text ever reaches DOT syntax
// unescaped: node ids are generated (n0, n1, …), attribute names are constants, and every
// attribute value goes through `DotGraph.quote`.

/// A directed graph: ordered nodes, edges and attributes (so its DOT is deterministic).
public struct DotGraph: Sendable {
    public typealias Attributes = [(name: String, value: String)]

    public struct Node: Sendable {
        public var id: String
        public var attributes: Attributes
    }

    public struct Edge: Sendable {
        public var from: String
        public var to: String
        public var attributes: Attributes
    }

    public var name: String
    public var graphAttributes: Attributes
    public var nodeDefaults: Attributes
    public var edgeDefaults: Attributes
    public private(set) var nodes: [Node] = []
    public private(set) var edges: [Edge] = []

    public init(name: String, graph: Attributes = [], node: Attributes = [], edge: Attributes = []) {
        self.name = name
        graphAttributes = [("fontname", "DejaVu Sans")] + graph
        nodeDefaults = [("fontname", "DejaVu Sans"), ("fontsize", "10")] + node
        edgeDefaults = [("fontname", "DejaVu Sans"), ("fontsize", "9")] + edge
    }

    /// Adds a node and returns its generated id.
    @discardableResult
    public mutating func addNode(_ attributes: Attributes) -> String {
        let id = "n\(nodes.count)"
        nodes.append(Node(id: id, attributes: attributes))
        return id
    }

    public mutating func addEdge(_ from: String, _ to: String, _ attributes: Attributes = []) {
        edges.append(Edge(from: from, to: to, attributes: attributes))
    }

    /// The DOT text.
    public func dot() -> String {
        var out = "digraph \(Self.quote(name)) {\n"
        out += "  graph [\(Self.list(graphAttributes))];\n"
        out += "  node [\(Self.list(nodeDefaults))];\n"
        out += "  edge [\(Self.list(edgeDefaults))];\n"
        for node in nodes { out += "  \(node.id) [\(Self.list(node.attributes))];\n" }
        for edge in edges {
            out += "  \(edge.from) -> \(edge.to)" + (edge.attributes.isEmpty ? "" : " [\(Self.list(edge.attributes))]") + ";\n"
        }
        return out + "}\n"
    }

    static func list(_ attributes: Attributes) -> String {
        attributes.map { "\($0.name)=\(quote($0.value))" }.joined(separator: ", ")
    }

    /// A DOT double-quoted string. Graphviz reads `\"` in the lexer and `\\`, `\n` and
    /// `\{` … in label expansion; `&` starts an entity in labels, so it and the angle
    /// brackets are written as entities. Line breaks become `\n`; other control
    /// characters become spaces.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "{": out += "\\{"
            case "}": out += "\\}"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default:
                out += scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? " " : String(scalar)
            }
        }
        return out + "\""
    }

    /// Wraps `text` at spaces into lines of at most `width` characters and keeps at most
    /// `maxLines`, marking a cut with `…`. Whitespace runs (including newlines) collapse.
    public static func wrap(_ text: String, width: Int = 36, maxLines: Int = 4) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            // Enough to know the text is cut; long documents need not be wrapped whole.
            if lines.count > maxLines { break }
            var word = Substring(word)
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= width { current += " " + word }
            else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            lines[maxLines - 1] += "…"
        }
        return lines.joined(separator: "\n")
    }
}
