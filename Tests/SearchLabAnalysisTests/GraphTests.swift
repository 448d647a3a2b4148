import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport
import Testing

@Suite struct GraphTests {
    @Test func dotSnapshots() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let trajectory = GraphBuilder.trajectory(try db.store.trajectory(.storeID(1)))
        let group = GraphBuilder.group(try GraphBuilder.loadGroup(store: db.store, group: try db.store.trajectory(.storeID(3)).record.groupID,
                                                                  run: "verl", step: 3))
        let machine = GraphBuilder.stateMachine(try GraphBuilder.transitions(store: db.store, run: "verl", step: nil), title: "run verl")
        for (graph, name) in [(trajectory, "graph-trajectory.dot"), (group, "graph-group.dot"), (machine, "graph-run.dot")] {
            let failure = snapshotMismatch(graph.dot(), named: name)
            #expect(failure == nil, "\(failure ?? "")")
        }
    }

    @Test func graphvizRendersRealSVGPNGAndPDF() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let dot = GraphBuilder.trajectory(try db.store.trajectory(.storeID(1))).dot()
        let svg = try GraphvizRenderer.render(dot, format: .svg)
        let parser = XMLParser(data: svg)
        #expect(parser.parse(), "SVG must be well-formed XML")
        #expect(String(decoding: svg, as: UTF8.self).contains("first nobel prize in physics"))
        let png = try GraphvizRenderer.render(dot, format: .png)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png.count > 5_000)
        let pdf = try GraphvizRenderer.render(dot, format: .pdf)
        #expect(String(decoding: pdf.prefix(5), as: UTF8.self) == "%PDF-")
    }

    @Test func concurrentRendersAreSerialised() async throws {
        let dot = DotGraph(name: "g").dot()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try GraphvizRenderer.render(dot, format: .svg).count } }
            for try await size in group { #expect(size > 100) }
        }
    }

    /// Text crafted to break out of a DOT string, start an HTML label, or add nodes, edges
    /// and attributes must come out as literal label text and add nothing to the graph.
    @Test func hostileLabelsCannotInjectIntoTheGraph() throws {
        let hostile = [
            #"x"]; evil [label="pwned"]; n0 -> evil; a=""#,
            "<<b>html</b>> } { record | field } \\N \\G \\\" \\",
            "line1\nline2\r\n\u{0}\u{7}tab\there &amp; &lt;tag&gt;",
            String(repeating: "long ", count: 400),
        ]
        var graph = DotGraph(name: hostile[0], graph: [("label", hostile[1])])
        var ids: [String] = []
        for text in hostile { ids.append(graph.addNode([("label", text), ("tooltip", text)])) }
        graph.addEdge(ids[0], ids[1], [("label", hostile[2])])
        let svg = try GraphvizRenderer.render(graph.dot(), format: .svg)
        let collector = SVGTextCollector()
        let parser = XMLParser(data: svg)
        parser.delegate = collector
        #expect(parser.parse())
        #expect(collector.nodeGroups == hostile.count)
        #expect(collector.edgeGroups == 1)
        let text = collector.texts.joined(separator: "\n")
        #expect(text.contains(#"x"]; evil [label="pwned"]; n0 -> evil; a="#))
        #expect(text.contains("<<b>html</b>> } { record | field } \\N \\G \\\" \\"))
        #expect(text.contains("&amp; &lt;tag&gt;"))
        #expect(!text.contains("pwned\n"), "no node may be labelled by injected text")
        let wrapped = DotGraph.wrap(hostile[3], width: 36, maxLines: 4)
        #expect(wrapped.split(separator: "\n").count == 4 && wrapped.hasSuffix("…"))
    }

    @Test func graphCommandWritesFilesAndReportsBadIDs() throws {
        let db = try TestDatabase.verl()
        defer { db.remove() }
        let svg = db.dir.appendingPathComponent("t.svg").path
        let ok = try runSearchlab(["graph", "1", "--db", db.path, "--out", svg])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: svg))).parse())
        let png = db.dir.appendingPathComponent("run.png").path
        #expect(try runSearchlab(["graph", "--run", "verl", "--step", "3", "--db", db.path, "--format", "png", "--out", png]).status == 0)
        let dot = db.dir.appendingPathComponent("g.dot").path
        let group = try db.store.trajectory(.storeID(1)).record.groupID
        let ambiguous = try runSearchlab(["graph", "--group", group, "--db", db.path, "--out", dot])
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("narrow it with --run and --step"))
        #expect(!FileManager.default.fileExists(atPath: dot))
        let unknown = try runSearchlab(["graph", "#99", "--db", db.path, "--out", dot])
        #expect(unknown.status == 1 && unknown.stderr.hasPrefix("error: no trajectory #99"))
        let run = try runSearchlab(["graph", "--run", "other", "--db", db.path, "--out", dot])
        #expect(run.status == 1 && run.stderr.hasPrefix("error: no run \"other\""))
    }
}

/// Collects the text of an SVG's `<text>` and `<title>` elements and counts node and edge groups.
final class SVGTextCollector: NSObject, XMLParserDelegate {
    var texts: [String] = []
    var nodeGroups = 0
    var edgeGroups = 0
    private var current: String?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "g", attributes["class"] == "node" { nodeGroups += 1 }
        if name == "g", attributes["class"] == "edge" { edgeGroups += 1 }
        if name == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let current { texts.append(current) }
        if name == "text" { current = nil }
    }
}
