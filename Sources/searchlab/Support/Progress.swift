// Progress of the long commands (pretrain, train, eval, ablate, import, index) on standard
// error. On a terminal: one line redrawn in place with done/total, rate and ETA. Otherwise
// (CI, pipes, log files): the plain periodic lines each command printed before, so logs stay
// greppable. --quiet silences both; SEARCHLAB_PROGRESS=live|lines|off overrides the choice.
import Foundation

/// One long command's progress display. Thread-safe: workers may report.
final class ProgressLine: @unchecked Sendable {
    enum Mode: String { case live, lines, off }

    /// The display a command gets: off with --quiet, else SEARCHLAB_PROGRESS, else live when
    /// standard error is a terminal.
    static func mode(quiet: Bool, environment: [String: String] = ProcessInfo.processInfo.environment,
                     isTerminal: Bool = isatty(STDERR_FILENO) != 0) -> Mode {
        if quiet { return .off }
        if let forced = environment["SEARCHLAB_PROGRESS"].flatMap(Mode.init(rawValue:)) { return forced }
        return isTerminal ? .live : .lines
    }

    let label: String
    let unit: String
    let mode: Mode
    private(set) var total: Int
    /// Units done before this invocation (a resumed run): counted, but not in the rate.
    let alreadyDone: Int
    private let started: Date
    private let lock = NSLock()
    private let write: (String) -> Void
    private var drawn = false
    private var lastDraw = Date.distantPast
    private var lastLine = ""

    /// - Parameters:
    ///   - label: the command ("train", "eval", …), first on the live line.
    ///   - unit: what is counted, plural ("steps", "questions").
    init(_ label: String, total: Int, unit: String, quiet: Bool, alreadyDone: Int = 0, mode: Mode? = nil, now: Date = Date(),
         write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.unit = unit
        self.total = max(0, total)
        self.alreadyDone = alreadyDone
        self.mode = mode ?? Self.mode(quiet: quiet)
        self.started = now
        self.write = write
    }

    /// Reports `done` units. `status` is the short live text after the counts (metrics);
    /// `line` is the plain line printed in lines mode (nil: none at this point).
    func update(_ done: Int, status: String = "", line: @autoclosure () -> String? = nil, now: Date = Date()) {
        lock.lock(); defer { lock.unlock() }
        switch mode {
        case .off: return
        case .lines:
            if let line = line() { write(line + "\n") }
        case .live:
            // A terminal redraw at most ten times a second, and always at the end.
            guard done >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            lastLine = Self.liveText(label: label, done: done, total: total, unit: unit, status: status,
                                     elapsed: now.timeIntervalSince(started), alreadyDone: alreadyDone)
            redraw()
        }
    }

    /// Changes the total (when it is only known as work is read, as in import).
    func setTotal(_ total: Int) {
        lock.lock(); defer { lock.unlock() }
        self.total = max(0, total)
    }

    /// A permanent message: printed on its own line in both modes, the live line redrawn below it.
    func note(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        switch mode {
        case .off: return
        case .lines: write(message + "\n")
        case .live:
            write("\r\u{1B}[K" + message + "\n")
            drawn = false
            if !lastLine.isEmpty { redraw() }
        }
    }

    /// Ends the live line (a newline after it), so what follows starts on a fresh line.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if mode == .live && drawn { write("\n") }
        drawn = false
        lastLine = ""
    }

    private func redraw() {
        write("\r\u{1B}[K" + Self.fit(lastLine, columns: Self.terminalColumns()))
        drawn = true
    }

    /// `train 12/40 steps  5.6 s/step  ETA 2m37s  reward 0.231 …`: counts, rate, time left, status.
    static func liveText(label: String, done: Int, total: Int, unit: String, status: String, elapsed: Double,
                         alreadyDone: Int = 0) -> String {
        var text = "\(label) \(done)/\(total) \(unit)"
        let counted = done - alreadyDone
        if counted > 0 && elapsed > 0 {
            text += "  " + rate(done: counted, elapsed: elapsed, unit: unit)
            text += done < total ? "  ETA " + duration(elapsed / Double(counted) * Double(total - done)) : "  in " + duration(elapsed)
        }
        return status.isEmpty ? text : text + "  " + status
    }

    /// Units per second, or seconds per unit when slower than one a second.
    static func rate(done: Int, elapsed: Double, unit: String) -> String {
        let perSecond = Double(done) / elapsed
        let singular = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
        if perSecond >= 1 { return String(format: perSecond >= 100 ? "%.0f" : "%.1f", perSecond) + " \(unit)/s" }
        return String(format: "%.1f", 1 / perSecond) + " s/\(singular)"
    }

    /// `42s`, `3m07s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    /// The line cut to the terminal's width (a wrapped line could not be redrawn in place).
    static func fit(_ line: String, columns: Int) -> String {
        let limit = max(20, columns - 1)
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 120
    }
}
