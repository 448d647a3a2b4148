import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing

/// `searchlab report`: hostile text stays text, and the site renders in headless Chromium.
@Suite(.serialized)
struct HTMLReportTests {
    static func files(_ dir: URL) throws -> [URL] {
        try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".html") }.sorted()
            .map { dir.appendingPathComponent($0) }
    }

    @Test func hostileTrajectoryTextIsEscapedEverywhere() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("evil.sqlite").path
        try ReportTestData.makeDatabase(db, hostile: true)
        let out = dir.appendingPathComponent("site")
        let result = try runSearchlab(["report", "--db", db, "--run", "r", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let pages = try Self.files(out)
        #expect(pages.map(\.lastPathComponent).count == 3)   // index + two trajectories
        for page in pages {
            let html = try String(contentsOf: page, encoding: .utf8)
            // Only the page's own script element, no injected element or attribute, no external load.
            #expect(html.components(separatedBy: "<script").count - 1 == (page.lastPathComponent == "index.html" ? 1 : 0), "\(page.path)")
            for needle in ["<img", "</textarea>", "</pre></td>", "href=\"javascript:", "src=\"http", "src=\"//", "<link", "@import"] {
                #expect(!html.contains(needle), "\(needle) in \(page.lastPathComponent)")
            }
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "\(page.lastPathComponent)")
            #expect(html.contains("Content-Security-Policy"))
        }
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains(#"data-source="sim&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;""#))

        // Writing again replaces the report; a folder that is not a report is never deleted.
        #expect(try runSearchlab(["report", "--db", db, "--run", "r", "--out", out.path]).status == 0)
        let refused = try runSearchlab(["report", "--db", db, "--run", "r", "--out", dir.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("exists and was not written by searchlab"))
        #expect(FileManager.default.fileExists(atPath: db))
    }

    /// Chromium, from `scripts/bootstrap` (Debian's chromium-headless-shell or chromium).
    static func chromium() -> String? {
        for name in ["chromium-headless-shell", "chromium", "chromium-browser"] {
            for dir in ["/usr/bin", "/usr/lib/chromium", "/usr/local/bin"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Fails without Chromium (scripts/bootstrap installs it); only a machine that truly cannot
    /// install it may opt out with SEARCHLAB_SKIP_CHROMIUM=1.
    @Test(.disabled(if: ProcessInfo.processInfo.environment["SEARCHLAB_SKIP_CHROMIUM"] == "1",
                    "SEARCHLAB_SKIP_CHROMIUM=1: no Chromium on this machine"))
    func reportRendersInHeadlessChromium() throws {
        guard let chromium = Self.chromium() else {
            Issue.record(Comment(rawValue: "Chromium is not installed: run scripts/bootstrap (apt-get install "
                                 + "chromium-headless-shell), or set SEARCHLAB_SKIP_CHROMIUM=1 where it cannot be installed"))
            return
        }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("runs.sqlite").path
        try ReportTestData.makeDatabase(db)
        let out = dir.appendingPathComponent("site")
        #expect(try runSearchlab(["report", "--db", db, "--run", "r", "--out", out.path]).status == 0)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                     "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000"]
        let index = out.appendingPathComponent("index.html").absoluteString

        // The DOM after the script ran: every trajectory row, every plot, the filter's count.
        let dom = try Self.run(chromium, flags + ["--dump-dom", index])
        #expect(dom.stdout.components(separatedBy: "<tr class=\"trajectory\"").count - 1 == 2, "\(dom.stdout.prefix(400))")
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 == 7)
        #expect(dom.stdout.contains("<span id=\"shown\">2 of 2 shown</span>"), "the filter script did not run")
        #expect(dom.stdout.contains(".html#tokens\">tokens</a>") && dom.stdout.contains(".html#graph\">graph</a>"))
        Self.expectNoConsoleErrors(dom.stderr)

        // The filters work: preset from the URL, one of the two samples is wrong.
        let filtered = try Self.run(chromium, flags + ["--dump-dom", index + "#outcome=wrong"])
        #expect(filtered.stdout.contains("<span id=\"shown\">1 of 2 shown</span>"), "\(filtered.stdout.suffix(600))")
        #expect(filtered.stdout.components(separatedBy: "data-outcome=\"correct\" data-searches=\"1\" data-why=\"\" hidden=\"\"").count - 1 == 1)
        Self.expectNoConsoleErrors(filtered.stderr)

        // The miss carries its scan classes; filtering by one of them shows it alone.
        let why = try #require(dom.stdout.components(separatedBy: "data-why=\"").dropFirst().map { $0.prefix { $0 != "\"" } }.first { !$0.isEmpty })
        let firstClass = String(why.split(separator: " ")[0])
        let byClass = try Self.run(chromium, flags + ["--dump-dom", index + "#why=" + firstClass])
        #expect(byClass.stdout.contains("<span id=\"shown\">1 of 2 shown</span>"), "\(byClass.stdout.suffix(600))")
        Self.expectNoConsoleErrors(byClass.stderr)

        // A trajectory page: its Graphviz graph is an inline SVG with nodes.
        let page = try Self.files(out.appendingPathComponent("t"))[0]
        let trajectory = try Self.run(chromium, flags + ["--dump-dom", page.absoluteString])
        #expect(trajectory.stdout.contains("class=\"graph\"><svg"))
        #expect(trajectory.stdout.contains("class=\"node\""))
        #expect(trajectory.stdout.contains("<pre id=\"diff\">"))
        // The token view: trained tokens shaded, retrieved ones visibly masked, as rendered.
        #expect(trajectory.stdout.contains("<pre class=\"tokens\" id=\"tokens\"><span class=\"tok t p4\" title=\"log p = 0.000\">"))
        #expect(trajectory.stdout.contains("<span class=\"tok m\" title=\"log p = "))
        #expect(trajectory.stdout.contains(".tok.m{color:#888;background:repeating-linear-gradient("), "the masked style is on the page")
        let pages = try Self.files(out.appendingPathComponent("t")).map { try String(contentsOf: $0, encoding: .utf8) }
        #expect(pages.filter { $0.contains("<table id=\"findings\">") && $0.contains("data-class=\"\(firstClass)\"") }.count == 1)
        Self.expectNoConsoleErrors(trajectory.stderr)

        // Screenshots show something: the plots on the index, the graph on a trajectory page
        // (a blank page of this size compresses to a few kilobytes).
        for (name, url) in [("index", index), ("trajectory", page.absoluteString)] {
            let shot = dir.appendingPathComponent("\(name).png")
            _ = try Self.run(chromium, flags + ["--screenshot=\(shot.path)", "--window-size=1200,1600", url])
            let png = try Data(contentsOf: shot)
            #expect(png.count > 20_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name): \(png.count) bytes")
        }
    }

    /// Chromium logs console messages and CSP violations on stderr with `--enable-logging`.
    static func expectNoConsoleErrors(_ log: String) {
        let bad = log.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Content Security Policy") || $0.contains("Uncaught")
        }
        #expect(bad.isEmpty, "browser console: \(bad.joined(separator: "\n"))")
    }
}
