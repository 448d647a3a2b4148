// One trajectory's page: its graph (Graphviz SVG), its turns as generated and observed, and a
// turn-by-turn diff against another sample of its GRPO group.
import Foundation
import SearchLabAnalysis
import SearchLabCore
import SearchLabStore

enum TrajectoryPage {
    static func render(_ stored: StoredTrajectory, graphSVG: Data, sibling: StoredTrajectory?, findings: [ScanFinding] = []) -> String {
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
        body += "<h2>Graph</h2>\n<div class=\"graph\">\(HTMLPage.inlineSVG(graphSVG))</div>\n"
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
}
