import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SearchLabCore
import SearchLabReport
import Testing

struct SVGLinePlotTests {
    let plot = SVGLinePlot(title: "reward <mean> & \"EM\"", xLabel: "step", yLabel: "value", series: [
        PlotSeries(name: "train", points: [(0, 0.1), (1, 0.25), (2, 0.5)]),
        PlotSeries(name: "<script>alert(1)</script>", points: [(0, 0.0), (2, 0.75)]),
    ])

    @Test func renderingIsDeterministicAndWellFormed() throws {
        let a = plot.render(), b = plot.render()
        #expect(a == b)
        #expect(a.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(a.components(separatedBy: "<polyline").count == 3)
        let doc = try XMLDocument(xmlString: a)
        #expect(doc.rootElement()?.name == "svg")
    }

    @Test func textIsEscaped() {
        let svg = plot.render()
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(svg.contains("reward &lt;mean&gt; &amp; &quot;EM&quot;"))
    }

    @Test func emptyAndSinglePointPlotsRender() throws {
        let empty = SVGLinePlot(title: "t", xLabel: "x", yLabel: "y", series: []).render()
        #expect(empty.contains("no data"))
        let single = SVGLinePlot(title: "t", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "s", points: [(3, 3)])]).render()
        #expect(single.contains("<circle"))
        _ = try XMLDocument(xmlString: single)
    }
}

struct NotebookTests {
    func sample() -> Notebook {
        var nb = Notebook()
        nb.searchlab = ["run": "r1"]
        nb.markdown("intro", "# Title\nline two")
        nb.code("load", "import sqlite3\nprint(1)\n", outputs: [.stream(text: "1\n"), .display(["text/plain": "x", "image/svg+xml": "<svg/>"])])
        return nb
    }

    @Test func serializationIsStableNbformat45() throws {
        let text = try sample().serialized()
        #expect(text == (try sample().serialized()))
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(json?["nbformat"] as? Int == 4 && json?["nbformat_minor"] as? Int == 5)
        let cells = json?["cells"] as? [[String: Any]]
        #expect(cells?.count == 2)
        #expect(cells?[0]["source"] as? [String] == ["# Title\n", "line two"])
        #expect(cells?[1]["execution_count"] is NSNull)
        #expect(!text.contains("\"outputs\"") == false)
    }

    @Test func duplicateOrInvalidIdsAreRefused() {
        var nb = sample()
        nb.markdown("intro", "again")
        #expect(throws: SearchLabError.self) { try nb.serialized() }
        var bad = Notebook()
        bad.markdown("has space", "x")
        #expect(throws: SearchLabError.self) { try bad.serialized() }
    }

    @Test func pythonLiteralsKeepUserTextAsData() throws {
        let hostile = "r\"); import os; os.system(\"rm -rf /\") #\n'''\\"
        let literal = try PythonLiteral.string(hostile)
        #expect(literal.hasPrefix("\"") && literal.hasSuffix("\""))
        #expect(!literal.contains("\n"))
        // The literal must not end its string early: every inner quote is escaped.
        let inner = literal.dropFirst().dropLast()
        var escaped = false
        for ch in inner {
            if ch == "\"" && !escaped { Issue.record("unescaped quote in \(literal)") }
            escaped = ch == "\\" && !escaped
        }
    }
}
