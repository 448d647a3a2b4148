// Human-readable diffs, with ANSI colour only when asked for (the CLI asks when standard
// output is a terminal and NO_COLOR is unset).

/// ANSI styling, or none.
public struct Palette: Sendable {
    public var enabled: Bool
    public init(enabled: Bool) { self.enabled = enabled }

    public func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    public func bold(_ s: String) -> String { paint(s, "1") }
    public func removed(_ s: String) -> String { paint(s, "31") }
    public func added(_ s: String) -> String { paint(s, "32") }
    public func warn(_ s: String) -> String { paint(s, "33") }
}

/// Quotes text for one-line display: escapes, newlines shown as `\n`, cut at `limit` characters.
/// Shared by the replay layer, whose messages quote trajectory text the same way.
package func quoted(_ text: String?, limit: Int = 120) -> String {
    guard let text else { return "(none)" }
    var out = ""
    for scalar in text.unicodeScalars.prefix(limit) {
        switch scalar {
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default: out += scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x1B ? "?" : String(scalar)
        }
    }
    if text.unicodeScalars.count > limit { out += "…" }
    return "\"" + out + "\""
}

func score(_ value: Double) -> String { String(format: "%.4f", value) }

extension TrajectoryDiff {
    /// The diff as text, one fact per line.
    public func text(palette: Palette) -> String {
        var lines: [String] = []
        for (label, side) in [("A", a), ("B", b)] {
            lines.append(palette.bold("\(label) #\(side.storeID) \(side.publicID)") +
                         "  answer \(quoted(side.answer))  em \(side.exactMatch ? 1 : 0)  reward \(score(side.reward))  \(side.turns) turns, \(side.status)")
        }
        if identical {
            lines.append("identical: the two trajectories render to the same text")
        } else if let first = firstDivergence {
            let place = first.turn.map { "turn \($0)" } ?? "after the last turn"
            lines.append(palette.warn("first divergence: \(place), \(first.aspect.rawValue.replacingOccurrences(of: "_", with: " "))"))
        }
        for pair in turns { lines += turnLines(pair, palette: palette) }
        lines.append("outcome  answer \(quoted(a.answer)) → \(quoted(b.answer))  em \(a.exactMatch ? 1 : 0) → \(b.exactMatch ? 1 : 0)  reward \(score(a.reward)) → \(score(b.reward))")
        return lines.joined(separator: "\n") + "\n"
    }

    func turnLines(_ pair: TurnPair, palette: Palette) -> [String] {
        let same = pair.kindA == pair.kindB
        let kinds = same ? (pair.kindA ?? "-") : "\(pair.kindA ?? "(none)") ≠ \(pair.kindB ?? "(none)")"
        var header = "turn \(pair.index)  \(kinds)"
        if pair.difference != nil { header = palette.warn(header) }
        var lines = [header]
        if pair.thinkA == pair.thinkB {
            lines.append("  think   same \(quoted(pair.thinkA, limit: 80))")
        } else {
            lines.append("  think   " + palette.removed("A \(quoted(pair.thinkA, limit: 80))"))
            lines.append("          " + palette.added("B \(quoted(pair.thinkB, limit: 80))"))
        }
        let label = pair.kindA == "answer" || pair.kindB == "answer" ? "answer" : "query "
        if pair.contentA == pair.contentB {
            lines.append("  \(label)  same \(quoted(pair.contentA))")
        } else {
            lines.append("  \(label)  " + palette.removed("A \(quoted(pair.contentA))"))
            lines.append("          " + palette.added("B \(quoted(pair.contentB))"))
        }
        if let documents = pair.documents {
            lines.append("  docs    jaccard \(String(format: "%.2f", documents.jaccard))  \(documents.shared.count) shared")
            for key in documents.onlyA { lines.append("          " + palette.removed("- \(quoted(key, limit: 80))")) }
            for key in documents.onlyB { lines.append("          " + palette.added("+ \(quoted(key, limit: 80))")) }
        }
        return lines
    }
}
