// Run-vs-run diff as text.

extension RunDiff {
    /// Totals, flips by reason, then one line per flipped question.
    public func text(palette: Palette) -> String {
        let t = totals
        var lines = [
            palette.bold("runs A=\(runA) B=\(runB)") + ": \(t.shared) shared questions (only in A \(t.onlyA), only in B \(t.onlyB))",
            "both right \(t.bothRight)  both wrong \(t.bothWrong)  " + palette.removed("right→wrong \(t.rightToWrong)")
                + "  " + palette.added("wrong→right \(t.wrongToRight)"),
        ]
        for direction in [Direction.rightToWrong, .wrongToRight] {
            let group = flips.filter { $0.direction == direction }
            guard !group.isEmpty else { continue }
            var counts: [Reason: Int] = [:]
            for flip in group { counts[flip.reason, default: 0] += 1 }
            let order: [Reason] = [.differentQuery, .differentDocuments, .noAnswer, .sameDocumentsDifferentAnswer, .sameAnswer]
            let parts = order.compactMap { reason in counts[reason].map { "\(reason.rawValue) \($0)" } }
            lines.append("\(direction == .rightToWrong ? "right→wrong" : "wrong→right") by reason: " + parts.joined(separator: ", "))
        }
        for flip in flips {
            let arrow = flip.direction == .rightToWrong ? palette.removed("right→wrong") : palette.added("wrong→right")
            var line = "\(arrow)  \(flip.questionID)  \(flip.reason.rawValue)  A \(flip.a)  B \(flip.b)  answer \(quoted(flip.answerA, limit: 60)) → \(quoted(flip.answerB, limit: 60))"
            if flip.reason == .differentQuery {
                line += "  query \(quoted(flip.queryA, limit: 60)) → \(quoted(flip.queryB, limit: 60))"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
