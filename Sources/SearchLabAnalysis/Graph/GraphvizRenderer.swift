// Layout and rendering through the Graphviz C library (libcgraph parses, libgvc lays out
// and renders); no `dot` process is started.
import CGraphviz
import Foundation
import SearchLabCore

/// Output formats of `searchlab graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    case svg, png, pdf, dot
}

/// Renders DOT text with Graphviz.
///
/// Graphviz keeps global state and is not thread-safe (concurrent renders crash inside
/// libgvc), so every call into it goes through one process-wide lock.
public enum GraphvizRenderer {
    private static let lock = NSLock()

    /// The rendered bytes of `dot` in `format`.
    /// - Throws: ``SearchLabError`` when Graphviz cannot parse, lay out or render.
    public static func render(_ dot: String, format: GraphFormat) throws -> Data {
        if format == .dot { return Data(dot.utf8) }
        lock.lock()
        defer { lock.unlock() }
        guard let context = gvContext() else { throw SearchLabError("Graphviz could not start (gvContext failed)") }
        defer { gvFreeContext(context) }
        guard let graph = agmemread(dot) else { throw SearchLabError("Graphviz could not parse the graph") }
        defer { agclose(graph) }
        guard gvLayout(context, graph, "dot") == 0 else { throw SearchLabError("Graphviz layout failed") }
        defer { gvFreeLayout(context, graph) }
        var buffer: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        // PNG and PDF go through cairo for antialiased text; SVG uses the core writer.
        let device = format == .svg ? "svg" : "\(format.rawValue):cairo"
        guard gvRenderData(context, graph, device, &buffer, &length) == 0, let buffer else {
            throw SearchLabError("Graphviz could not render \(format.rawValue) (is the cairo plugin installed? apt install libgvc6)")
        }
        defer { gvFreeRenderData(buffer) }
        return Data(bytes: buffer, count: Int(length))
    }

    /// Renders and writes `path` atomically (a temporary file renamed into place), so a
    /// failed render never leaves a half-written file.
    public static func write(_ dot: String, format: GraphFormat, to path: String) throws {
        let data = try render(dot, format: format)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LocatedError(file: path, line: nil, message: "cannot write the graph (check the directory exists and is writable)")
        }
    }
}
