// One trajectory's page: its graph (Graphviz SVG), its turns as generated and observed, and a
// turn-by-turn diff against another sample of its GRPO group.
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

enum TrajectoryPage {
    static func render(_ stored: StoredTrajectory, graphSVG: Data, sibling: StoredTrajectory?, findings: [ScanFinding] = [],
                       tokens: TokenView? = nil) -> String {
        let e = HTMLPage.e, t = stored.trajectory, o = t.outcome
        var body = "<p><a href=\"../index.html\">← run \(e(stored.runName))</a></p>\n"
        body += "<h1>Trajectory <code>\(e(stored.publicID))</code></h1>\n"
        body += "<table id=\"outcome\"><tr><th>question</th><td>\(e(t.question.text))</td></tr>"
        body += "<tr><th>data source</th><td>\(e(t.question.dataSource))</td></tr>"
        body += "<tr><th>golden answers</th><td>\(e(t.question.goldenAnswers.joined(separator: " | ")))</td></tr>"
        body += "<tr><th>answer</th><td>\(e(o.extractedAnswer ?? "—"))</td></tr>"
        body += "<tr><th>exact match</th><td class=\"\(o.exactMatch ? "ok" : "bad")\">\(o.exactMatch)</td></tr>"
        body += "<tr><th>reward</th><td>\(String(format: "%.3f", o.reward))</td></tr>"
        body += "<tr><th>searches</th><td>\(o.searchCount)</td></tr><tr><th>status</th><td>\(e(o.status.rawValue))</td></tr></table>\n"
        if !findings.isEmpty {
            body += "<h2>Why it missed</h2>\n<table id=\"findings\"><tr><th>class</th><th>evidence</th></tr>"
            for finding in findings {
                body += "<tr class=\"finding\" data-class=\"\(e(finding.failureClass.rawValue))\"><td><a href=\"../index.html#why=\(e(finding.failureClass.rawValue))\">"
                    + "\(e(finding.failureClass.rawValue))</a></td><td>\(e(finding.detail))</td></tr>"
            }
            body += "</table>\n<p class=\"note\">By <code>searchlab scan</code>'s rules (docs/analysis.md); each class links to the run's other misses of that class.</p>\n"
        }
        body += "<h2 id=\"graph\">Graph</h2>\n<div class=\"graph\">\(HTMLPage.inlineSVG(graphSVG))</div>\n"
        body += "<h2>Turns</h2>\n"
        body += "<details><summary>Prompt</summary><pre>\(e(t.prompt))</pre></details>\n"
        for turn in t.turns {
            body += "<div class=\"turn\"><h3>Turn \(turn.index + 1): \(e(turn.action.kind.rawValue))"
            if let content = turn.action.content { body += " <code>\(e(content))</code>" }
            body += "</h3>\n<pre>\(e(turn.text))</pre>\n"
            if let observation = turn.observation {
                body += "<details><summary>\(e(observation.kind.rawValue)) (\(observation.documents.count) documents)</summary><pre>\(e(observation.text))</pre></details>\n"
            }
            body += "</div>\n"
        }
        if let tokens { body += tokenSection(tokens, response: t.turnsText) }
        body += "<h2>Diff against another sample of its group</h2>\n"
        if let sibling {
            let diff = TrajectoryDiff(stored, sibling)
            body += "<p>Against <a href=\"\(sibling.id).html\"><code>\(e(sibling.publicID))</code></a>"
            body += diff.firstDivergence.map { " — first divergence: \(e($0.aspect.rawValue))\($0.turn.map { " at turn \($0 + 1)" } ?? "")" } ?? " — identical"
            body += "</p>\n<pre id=\"diff\">\(e(diff.text(palette: Palette(enabled: false))))</pre>\n"
        } else {
            body += "<p>No other sample of group <code>\(e(stored.record.groupID))</code> at this step.</p>\n"
        }
        return HTMLPage.render(title: "Trajectory \(stored.publicID)", body: body)
    }

    /// Every response token the update saw: shaded by its probability under the sampling
    /// policy when it carried gradient, hatched and struck through when the loss masked it
    /// (retrieved text); its log-probability on hover.
    static func tokenSection(_ view: TokenView, response: String) -> String {
        let e = HTMLPage.e
        var html = "<h2>Tokens</h2>\n"
        guard let pieces = view.pieces(of: response) else {
            return html + "<p>The stored token view does not cover this trajectory's response text; it cannot be shown.</p>\n"
        }
        let trained = view.trained.filter { $0 }.count
        html += "<p class=\"legend\">\(view.count) response tokens, \(trained) in the loss. Trained tokens are shaded by their probability "
            + "under the policy that sampled them: " + ["p4": "≥ 0.9", "p3": "≥ 0.6", "p2": "≥ 0.3", "p1": "≥ 0.1", "p0": "< 0.1"]
                .sorted { $0.key > $1.key }.map { "<span class=\"tok t \($0.key)\">\($0.value)</span>" }.joined()
            + " <span class=\"tok m\">masked: retrieved, no gradient</span> (hover a token for its log-probability)</p>\n"
        html += "<pre class=\"tokens\" id=\"tokens\">"
        for (i, piece) in pieces.enumerated() {
            let logProb = view.logProbs[i]
            let title = logProb.isNaN ? "not scored" : String(format: "log p = %.3f", Double(logProb) + 0)  // + 0: no "-0.000" for -0
            let kind = view.trained[i] ? "t \(bucket(logProb))" : "m"
            html += "<span class=\"tok \(kind)\" title=\"\(e(title))\">\(e(piece))</span>"
        }
        return html + "</pre>\n"
    }

    /// The shade of a trained token: its probability, in five bands.
    static func bucket(_ logProb: Float) -> String {
        guard !logProb.isNaN else { return "na" }
        let p = exp(Double(logProb))
        return p >= 0.9 ? "p4" : p >= 0.6 ? "p3" : p >= 0.3 ? "p2" : p >= 0.1 ? "p1" : "p0"
    }
}
