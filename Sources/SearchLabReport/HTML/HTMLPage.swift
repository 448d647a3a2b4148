// The shell every report page shares: inline CSS and script, and a Content-Security-Policy
// that allows nothing from outside the page and only the page's own script (by hash), so even
// text that escaped escaping could not run.
import Foundation
import SearchLabCore

enum HTMLPage {
    /// `&`, `<`, `>`, quotes escaped: safe in element content and quoted attribute values.
    static func e(_ text: String) -> String { XMLText.escape(text) }

    static func render(title: String, body: String, script: String = "") -> String {
        var csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
        if !script.isEmpty { csp += "; script-src '\(hash(script))'" }
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(csp)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            \(body)
            """
        if !script.isEmpty { html += "<script>\(script)</script>\n" }
        return html + "</body>\n</html>\n"
    }

    /// `sha256-<base64>` of the script text, as CSP expects.
    static func hash(_ script: String) -> String {
        let hex = CanonicalJSON.sha256Hex(Data(script.utf8))
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return "sha256-" + Data(bytes).base64EncodedString()
    }

    /// Graphviz's SVG without its XML prolog and doctype, to inline in HTML.
    static func inlineSVG(_ data: Data) -> String {
        let svg = String(decoding: data, as: UTF8.self)
        guard let start = svg.range(of: "<svg") else { return "" }
        return String(svg[start.lowerBound...])
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;padding:0 1rem;color:#222}
        h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
        th{background:#f5f5f5}.plots{display:flex;flex-wrap:wrap;gap:1rem}.plots figure{margin:0}
        .ok{color:#087f23}.bad{color:#b00020}pre{white-space:pre-wrap;background:#f8f8f8;padding:.5rem;border:1px solid #eee}
        .filters{display:flex;gap:1rem;align-items:center;margin:1rem 0}.turn{border-left:3px solid #0072B2;padding-left:.75rem;margin:1rem 0}
        .graph svg{max-width:100%;height:auto}details{margin:.5rem 0}
        .tokens .tok{border-radius:2px}.tok.t.p0{background:#fdd0c2}.tok.t.p1{background:#fde3c2}.tok.t.p2{background:#fff3c4}
        .tok.t.p3{background:#e3f3d0}.tok.t.p4{background:#c8ecc4}.tok.t.na{background:#eee}
        .tok.m{color:#888;background:repeating-linear-gradient(135deg,#f0f0f0 0 4px,#e2e2e2 4px 8px);text-decoration:line-through #bbb}
        .legend .tok{padding:0 .3rem;margin-right:.3rem}
        """
}
