// Decoded Search-R1 text → structured trajectory, for any input: every byte of the
// input lands in exactly one place (prompt, a turn's text, an observation, trailing),
// so `parse(x).render() == x` always holds, malformed or not.

/// How a parsed trajectory is scored.
public struct ScoringOptions: Hashable, Sendable {
    public var scheme: SearchR1Reward.Scheme
    public var weights: SearchR1Reward.FormatWeights

    public init(scheme: SearchR1Reward.Scheme = .em, weights: SearchR1Reward.FormatWeights = .init()) {
        self.scheme = scheme
        self.weights = weights
    }
}

/// What is known about a sequence besides its text.
public struct SequenceMetadata: Hashable, Sendable {
    public var id: String?
    public var dataSource: String?
    public var goldenAnswers: [String]
    public var groupID: String?
    public var sampleIndex: Int

    public init(id: String? = nil, dataSource: String? = nil, goldenAnswers: [String] = [],
                groupID: String? = nil, sampleIndex: Int = 0) {
        self.id = id
        self.dataSource = dataSource
        self.goldenAnswers = goldenAnswers
        self.groupID = groupID
        self.sampleIndex = sampleIndex
    }
}

/// Parses decoded Search-R1 sequences, with or without ChatML.
public enum SequenceParser {
    static let systemStart = Array("<|im_start|>system".utf8)
    static let informationOpen = Array(SearchR1Format.informationOpen.utf8)
    static let informationEnd = Array("</information>".utf8)
    static let feedback = Array(SearchR1Format.invalidActionFeedback.utf8)

    /// Splits text holding several ChatML conversations (like Search-R1's `case.txt`) at
    /// each `<|im_start|>system` that starts a line. Concatenating the pieces gives the input.
    public static func splitSequences(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var starts: [Int] = []
        var from = 0
        while let at = UTF8Search.firstIndex(of: systemStart, in: bytes, from: from) {
            if at == 0 || bytes[at - 1] == UInt8(ascii: "\n") { starts.append(at) }
            from = at + 1
        }
        guard let first = starts.first else { return [text] }
        var cuts = starts
        if first != 0 { cuts[0] = 0 }
        return cuts.indices.map { k in
            UTF8Search.string(bytes, cuts[k]..<(k + 1 < cuts.count ? cuts[k + 1] : bytes.count))
        }
    }

    /// Parses one decoded sequence into a trajectory.
    public static func parse(_ text: String, metadata: SequenceMetadata = .init(),
                             scoring: ScoringOptions = .init()) -> Trajectory {
        let bytes = Array(text.utf8)
        var malformations: [Malformation] = []
        let (promptEnd, questionText) = locatePrompt(bytes)
        if promptEnd == nil {
            malformations.append(Malformation(.noPrompt, "no ChatML assistant marker and no Search-R1 instruction found; the whole text is the response"))
        }
        let start = promptEnd ?? 0
        let (turns, trailing) = segmentTurns(bytes, from: start)
        let question = Question(
            id: metadata.id ?? "", dataSource: metadata.dataSource ?? "", text: questionText ?? "",
            goldenAnswers: metadata.goldenAnswers, groupID: metadata.groupID, sampleIndex: metadata.sampleIndex)
        let outcome = makeOutcome(turns: turns, goldens: metadata.goldenAnswers, scoring: scoring)
        return Trajectory(question: question, prompt: UTF8Search.string(bytes, 0..<start), turns: turns,
                          trailing: trailing, outcome: outcome, malformations: malformations)
    }

    /// The outcome of a list of turns: answer from the response alone, EM, format, retrieval.
    public static func makeOutcome(turns: [Turn], goldens: [String], scoring: ScoringOptions) -> Outcome {
        let score = SearchR1Reward.score(Turn.concatenated(turns), goldens: goldens, scheme: scoring.scheme,
                                         weights: scoring.weights, extraction: .response)
        let searches = turns.filter { $0.action.kind == .search && $0.observation?.kind == .information }.count
        let valid = turns.filter { $0.action.kind != .invalid }.count
        let finished = turns.last?.action.kind == .answer
        return Outcome(extractedAnswer: score.answer, exactMatch: score.exactMatch, formatValid: score.formatValid,
                       retrievalHit: score.retrievalHit, reward: score.score, searchCount: searches,
                       validActionCount: valid, status: finished ? .finished : .cutOff)
    }

    // MARK: - Prompt

    /// Where the response starts, and the question if the instruction is there.
    static func locatePrompt(_ bytes: [UInt8]) -> (end: Int?, question: String?) {
        let question = extractQuestion(bytes)
        let marker = Array(SearchR1Format.assistantMarker.utf8)
        if let at = UTF8Search.firstIndex(of: marker, in: bytes, from: 0) {
            var end = at + marker.count
            if end < bytes.count, bytes[end] == UInt8(ascii: "\n") { end += 1 }
            return (end, question?.text)
        }
        if let question { return (question.lineEnd, question.text) }
        return (nil, nil)
    }

    static func extractQuestion(_ bytes: [UInt8]) -> (text: String, lineEnd: Int)? {
        let prefix = Array(SearchR1Format.instructionPrefix.utf8)
        guard let at = UTF8Search.firstIndex(of: prefix, in: bytes, from: 0) else { return nil }
        let qStart = at + prefix.count
        let nl = bytes[qStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        return (UTF8Search.string(bytes, qStart..<nl), min(nl + 1, bytes.count))
    }

    // MARK: - Turns

    /// Cuts the response into turns at each observation (information block or invalid
    /// feedback). The last turn keeps text up to upstream's truncation point; the rest
    /// is `trailing`.
    static func segmentTurns(_ bytes: [UInt8], from start: Int) -> ([Turn], String) {
        var turns: [Turn] = []
        var pos = start
        while pos < bytes.count {
            guard let (obsStart, obsEnd, kind) = nextObservation(bytes, from: pos) else {
                let (text, trailing) = finalTurnText(bytes, pos..<bytes.count)
                turns.append(makeTurn(index: turns.count, text: text, observation: nil, isLast: true))
                return (turns, trailing)
            }
            let text = UTF8Search.string(bytes, pos..<obsStart)
            let obsText = UTF8Search.string(bytes, obsStart..<obsEnd)
            var observation: Observation
            var extra: [Malformation] = []
            if kind == .information {
                let innerStart = obsStart + informationOpen.count
                if let close = UTF8Search.firstIndex(of: informationEnd, in: bytes[..<obsEnd], from: innerStart) {
                    let inner = UTF8Search.string(bytes, innerStart..<close)
                    observation = Observation(kind: .information, text: obsText, documents: SearchR1Format.parseDocuments(inner))
                    if !obsText.hasSuffix(SearchR1Format.informationClose) {
                        extra.append(Malformation(.unterminatedInformation, "</information> is not followed by a blank line"))
                    }
                } else {
                    observation = Observation(kind: .information, text: obsText, documents: [])
                    extra.append(Malformation(.unterminatedInformation, "<information> opened at byte \(obsStart - start) of the response is never closed"))
                }
            } else {
                observation = SearchR1Format.invalidObservation
            }
            var turn = makeTurn(index: turns.count, text: text, observation: observation, isLast: false)
            turn.malformations += extra
            turns.append(turn)
            pos = obsEnd
        }
        return (turns, "")
    }

    /// The next observation at or after `from`: its byte range and kind.
    static func nextObservation(_ bytes: [UInt8], from: Int) -> (Int, Int, Observation.Kind)? {
        let info = UTF8Search.firstIndex(of: informationOpen, in: bytes, from: from)
        let fb = UTF8Search.firstIndex(of: feedback, in: bytes, from: from)
        if let fb, info.map({ fb < $0 }) ?? true {
            return (fb, fb + feedback.count, .invalidFeedback)
        }
        guard let info else { return nil }
        guard let close = UTF8Search.firstIndex(of: informationEnd, in: bytes, from: info + informationOpen.count) else {
            return (info, bytes.count, .information)
        }
        var end = close + informationEnd.count
        // The block ends with exactly two newlines when well-formed; take up to two.
        for _ in 0..<2 where end < bytes.count && bytes[end] == UInt8(ascii: "\n") { end += 1 }
        return (info, end, .information)
    }

    /// Upstream truncation applied to the final turn: text after the cut is trailing.
    static func finalTurnText(_ bytes: [UInt8], _ range: Range<Int>) -> (String, String) {
        let whole = UTF8Search.string(bytes, range)
        let kept = SearchR1Format.truncateTurn(whole)
        let keptLength = kept.utf8.count
        return (kept, UTF8Search.string(bytes, (range.lowerBound + keptLength)..<range.upperBound))
    }

    static func makeTurn(index: Int, text: String, observation: Observation?, isLast: Bool) -> Turn {
        let action = SearchR1Format.parseAction(text)
        var malformations = TagScanner.malformations(in: text)
        let keptBytes = SearchR1Format.truncateTurn(text).utf8.count
        let textBytes = Array(text.utf8)
        if keptBytes < textBytes.count, !PythonText.strip(UTF8Search.string(textBytes, keptBytes..<textBytes.count)).isEmpty {
            malformations.append(Malformation(.textAfterAction, "text after the first closing </search> or </answer> in turn \(index)"))
        }
        switch (action.kind, observation?.kind) {
        case (.search, .invalidFeedback?), (.answer, _?), (.invalid, .information?):
            malformations.append(Malformation(.unexpectedObservation,
                "turn \(index) is \(action.kind.rawValue) but is followed by \(observation!.kind.rawValue)"))
        case (.search, nil) where !isLast:
            malformations.append(Malformation(.missingObservation, "search in turn \(index) got no information"))
        default:
            break
        }
        return Turn(index: index, rawGeneration: text, text: text, action: action,
                    observation: observation, malformations: malformations)
    }
}

/// Finds tag-level departures from the protocol inside one turn's text.
enum TagScanner {
    static let names = ["think", "search", "answer", "information"]

    static func malformations(in text: String) -> [Malformation] {
        let bytes = Array(text.utf8)
        var found: [Malformation] = []
        var open: [String] = []
        var strayReported = false
        var textStart = 0
        var i = 0
        func checkStray(_ end: Int) {
            guard open.isEmpty, !strayReported, textStart < end else { return }
            let chunk = PythonText.strip(UTF8Search.string(bytes, textStart..<end))
            if !chunk.isEmpty {
                found.append(Malformation(.strayText, "text outside <think>, <search> and <answer>: \(preview(chunk))"))
                strayReported = true
            }
        }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<"), let (name, closing, length, exact) = tag(bytes, at: i) else { i += 1; continue }
            if !exact {
                found.append(Malformation(.tagCase, "tag \(UTF8Search.string(bytes, i..<(i + length))) is not lowercase; Search-R1 only reads lowercase tags"))
                i += length
                continue
            }
            if name == "information" {
                found.append(Malformation(.unexpectedObservation, "the model wrote an <\(closing ? "/" : "")information> tag itself"))
                i += length
                continue
            }
            checkStray(i)
            if closing {
                if open.last == name { open.removeLast() } else {
                    found.append(Malformation(.unclosedTag, "</\(name)> without a matching <\(name)>"))
                }
            } else {
                if !open.isEmpty {
                    found.append(Malformation(.nestedTag, "<\(name)> opened inside <\(open.last!)>"))
                }
                open.append(name)
            }
            i += length
            textStart = i
        }
        checkStray(bytes.count)
        for name in open { found.append(Malformation(.unclosedTag, "<\(name)> is never closed")) }
        return found
    }

    /// A protocol tag at `i`, compared ASCII-case-insensitively.
    static func tag(_ bytes: [UInt8], at i: Int) -> (String, Bool, Int, Bool)? {
        var j = i + 1
        let closing = j < bytes.count && bytes[j] == UInt8(ascii: "/")
        if closing { j += 1 }
        for name in names {
            let n = Array(name.utf8)
            guard j + n.count < bytes.count, bytes[j + n.count] == UInt8(ascii: ">") else { continue }
            var exact = true, same = true
            for k in 0..<n.count {
                let b = bytes[j + k]
                let lower = (b >= 65 && b <= 90) ? b + 32 : b
                if lower != n[k] { same = false; break }
                if b != n[k] { exact = false }
            }
            if same { return (name, closing, j + n.count + 1 - i, exact) }
        }
        return nil
    }

    static func preview(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        let head = String(String.UnicodeScalarView(scalars.prefix(40)))
        return "\"" + head + (scalars.count > 40 ? "…" : "") + "\""
    }
}
