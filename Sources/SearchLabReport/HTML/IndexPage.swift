// The report's front page: summary, config, metric plots and the filterable trajectory list.
import Foundation
import SearchLabAnalysis
import SearchLabCore

enum IndexPage {
    /// `classes`: the scan classes of each missed trajectory listed, by store id.
    /// `tokenViews`: the listed trajectories that have a token view (trained ones).
    static func render(_ data: RunData, rows: [TrajectoryRow], totalTrajectories: Int, classes: [Int64: [FailureClass]] = [:],
                       tokenViews: Set<Int64> = []) -> String {
        let e = HTMLPage.e
        var body = "<h1>Run <code>\(e(data.record.name))</code></h1>\n"
        body += "<p>Source <code>\(e(data.record.source))</code> · \(data.stepCount) steps · \(totalTrajectories) trajectories stored"
        if let seed = data.record.seed { body += " · seed \(seed)" }
        body += " · code version \(e(data.record.codeVersion))</p>\n"
        body += summaryTable(data)
        body += "<details><summary>Configuration (\(data.config.count) keys)</summary>\n<table>"
        for (key, value) in data.config { body += "<tr><th>\(e(key))</th><td><code>\(e(value))</code></td></tr>" }
        body += "</table></details>\n<h2>Metrics</h2>\n<div class=\"plots\">\n"
        for spec in StandardPlots.all {
            body += "<figure id=\"plot-\(spec.id)\">\(spec.plot(data).render())<figcaption>\(e(spec.explanation))</figcaption></figure>\n"
        }
        body += "</div>\n<h2>Trajectories</h2>\n"
        body += "<p>The \(rows.count) trajectories of the last step\(rows.count < totalTrajectories ? "s shown" : ""); each links to its graph, turns and a diff against another sample of its group.</p>\n"
        body += filters(rows, classes: classes) + trajectoryTable(rows, classes: classes, tokenViews: tokenViews)
        return HTMLPage.render(title: "SearchLab run \(data.record.name)", body: body, script: filterScript)
    }

    static func summaryTable(_ data: RunData) -> String {
        let headline = ["val/em", "reward/mean", "em/mean", "env/number_of_valid_search", "response_length/mean", "actor/entropy_loss"]
        var html = "<table id=\"summary\"><tr><th>metric</th><th>last value</th><th>at step</th></tr>"
        for m in headline + data.metrics(prefix: "val/em/") {
            guard let last = data.curves[m]?.last else { continue }
            html += "<tr><td>\(HTMLPage.e(m))</td><td>\(String(format: "%.4f", last.value))</td><td>\(last.step)</td></tr>"
        }
        return html + "</table>\n"
    }

    static func filters(_ rows: [TrajectoryRow], classes: [Int64: [FailureClass]]) -> String {
        func select(_ id: String, _ label: String, _ values: [String]) -> String {
            "<label>\(label) <select id=\"\(id)\"><option value=\"\">all</option>"
                + values.map { "<option value=\"\(HTMLPage.e($0))\">\(HTMLPage.e($0))</option>" }.joined() + "</select></label>"
        }
        let sources = Array(Set(rows.map(\.dataSource))).sorted()
        let searches = Array(Set(rows.map(\.searches))).sorted().map(String.init)
        return "<div class=\"filters\">" + select("f-source", "data source", sources) + select("f-outcome", "outcome", ["correct", "wrong"])
            + select("f-searches", "searches", searches)
            + select("f-why", "missed because", Set(classes.values.joined()).sorted().map(\.rawValue)) + "<span id=\"shown\">\(rows.count) trajectories</span></div>\n"
    }

    static func trajectoryTable(_ rows: [TrajectoryRow], classes: [Int64: [FailureClass]], tokenViews: Set<Int64>) -> String {
        let e = HTMLPage.e
        var html = "<table id=\"trajectories\"><thead><tr><th>trajectory</th><th>data source</th><th>outcome</th><th>searches</th><th>answer</th><th>missed because</th><th>question</th></tr></thead><tbody>\n"
        for row in rows {
            let outcome = row.exactMatch ? "correct" : "wrong"
            let why = (classes[row.id] ?? []).map(\.rawValue).joined(separator: " ")
            html += "<tr class=\"trajectory\" data-source=\"\(e(row.dataSource))\" data-outcome=\"\(outcome)\" data-searches=\"\(row.searches)\" data-why=\"\(e(why))\">"
            html += "<td><a href=\"t/\(row.id).html\">\(e(row.publicID))</a> <small><a href=\"t/\(row.id).html#graph\">graph</a>"
                + (tokenViews.contains(row.id) ? " · <a href=\"t/\(row.id).html#tokens\">tokens</a>" : "") + "</small></td><td>\(e(row.dataSource))</td>"
            html += "<td class=\"\(row.exactMatch ? "ok" : "bad")\">\(outcome)</td><td>\(row.searches)</td>"
            html += "<td>\(e(row.extractedAnswer ?? "—"))</td><td>\(e(why.replacingOccurrences(of: " ", with: ", ")))</td><td>\(e(row.question))</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// Shows the rows matching every filter; reads only the page's own data attributes. The
    /// filters can be preset by the URL (`index.html#outcome=wrong&searches=2`), for links.
    static let filterScript = """
        (function () {
          var ids = ["f-source", "f-outcome", "f-searches", "f-why"], keys = ["source", "outcome", "searches", "why"];
          var rows = document.querySelectorAll("tr.trajectory");
          new URLSearchParams(location.hash.slice(1)).forEach(function (value, key) {
            var i = keys.indexOf(key);
            if (i >= 0) document.getElementById(ids[i]).value = value;
          });
          function apply() {
            var shown = 0;
            rows.forEach(function (row) {
              var ok = ids.every(function (id, i) {
                var v = document.getElementById(id).value, have = row.dataset[keys[i]];
                // A miss has several classes: "why" matches any of them.
                return v === "" || (keys[i] === "why" ? have.split(" ").indexOf(v) >= 0 : have === v);
              });
              row.hidden = !ok;
              if (ok) shown += 1;
            });
            document.getElementById("shown").textContent = shown + " of " + rows.length + " shown";
          }
          ids.forEach(function (id) { document.getElementById(id).addEventListener("change", apply); });
          apply();
        })();
        """
}
