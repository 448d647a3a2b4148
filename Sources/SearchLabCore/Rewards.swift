// Search-R1's rewards (`qa_em.py`, `qa_em_format.py`), with Python's string semantics.

/// Answer normalisation and matching, as in the SQuAD/Search-R1 evaluation scripts.
public enum AnswerMatching {
    static let asciiPunctuation: Set<UInt32> = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars.map(\.value))

    /// `normalize_answer`: `lower()`, drop ASCII punctuation, replace whole-word
    /// `a`/`an`/`the` with a space (Unicode `\b`), then join whitespace-split pieces.
    public static func normalize(_ s: String) -> String {
        let lowered = PythonText.lower(s)
        let noPunct = String(String.UnicodeScalarView(lowered.unicodeScalars.filter { !asciiPunctuation.contains($0.value) }))
        return PythonText.split(removeArticles(noPunct)).joined(separator: " ")
    }

    /// `re.sub(r"\b(a|an|the)\b", " ", text)`: scan left to right on the original text;
    /// at a word boundary try `a`, `an`, `the` in that order, each needing a boundary after.
    static func removeArticles(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        let isWord = s.map(PythonText.isWordCharacter)
        let articles: [[Unicode.Scalar]] = [["a"], ["a", "n"], ["t", "h", "e"]]
        var out = String.UnicodeScalarView()
        var i = 0
        scan: while i < s.count {
            if i == 0 || !isWord[i - 1] {
                for article in articles where i + article.count <= s.count && Array(s[i..<(i + article.count)]) == article {
                    let end = i + article.count
                    if end == s.count || !isWord[end] {
                        out.append(" ")
                        i = end
                        continue scan
                    }
                }
            }
            out.append(s[i])
            i += 1
        }
        return String(out)
    }

    /// `em_check`: 1 when the normalised prediction equals any normalised golden answer.
    public static func exactMatch(_ prediction: String, _ goldens: [String]) -> Bool {
        let p = normalize(prediction)
        return goldens.contains { PythonText.equal(normalize($0), p) }
    }

    /// `subem_check`: 1 when any normalised golden answer occurs inside the normalised prediction.
    public static func subExactMatch(_ prediction: String, _ goldens: [String]) -> Bool {
        let p = normalize(prediction)
        return goldens.contains { PythonText.contains(p, normalize($0)) }
    }
}

/// How the answer is pulled out of a sequence.
public enum AnswerExtraction: String, Codable, Sendable, CaseIterable {
    /// SearchLab's default: the response alone; the last `<answer>…</answer>`, if any.
    case response
    /// Upstream `extract_solution` on prompt + response: `None` unless there are at least
    /// two matches, else the last. The instruction itself holds two matches, so a response
    /// without an answer is scored as the answer "Beijing".
    case upstream
}

/// Search-R1's reward functions.
public enum SearchR1Reward {
    /// The reward schemes `searchlab reward` and the trainer offer.
    public enum Scheme: String, Codable, Sendable, CaseIterable {
        /// `qa_em.compute_score_em`: 1 for an exact match, else 0.
        case em
        /// `qa_em.compute_score_subem`: 1 when a golden answer is contained, else 0.
        case subem
        /// `qa_em_format.compute_score_em`: EM shaped by format validity and retrieval.
        case format
    }

    /// The (λf, λff, λr) weights of the format-aware reward.
    public struct FormatWeights: Codable, Hashable, Sendable {
        public var structureFormatScore: Double
        public var finalFormatScore: Double
        public var retrievalScore: Double

        public init(structureFormatScore: Double = 0, finalFormatScore: Double = 0, retrievalScore: Double = 0) {
            self.structureFormatScore = structureFormatScore
            self.finalFormatScore = finalFormatScore
            self.retrievalScore = retrievalScore
        }

        /// Search-R1 v0.3's training values: λf 0.2, λff 0.1, λr 0.
        public static let searchR1v03 = FormatWeights(structureFormatScore: 0.2, finalFormatScore: 0.1, retrievalScore: 0)
    }

    /// A score and the facts it was computed from.
    public struct Score: Codable, Hashable, Sendable {
        public var score: Double
        public var answer: String?
        public var exactMatch: Bool
        public var formatValid: Bool
        public var retrievalHit: Bool

        enum CodingKeys: String, CodingKey {
            case score, answer
            case exactMatch = "em"
            case formatValid = "format_valid"
            case retrievalHit = "retrieval_hit"
        }
    }

    static let answerOpen = Array("<answer>".utf8), answerClose = Array("</answer>".utf8)
    static let infoOpen = Array("<information>".utf8), infoClose = Array("</information>".utf8)

    /// Contents of every non-overlapping `open(.*?)close` match (DOTALL), unstripped.
    static func blocks(_ text: String, open: [UInt8], close: [UInt8]) -> [String] {
        let bytes = Array(text.utf8)
        var out: [String] = []
        var from = 0
        while let start = UTF8Search.firstIndex(of: open, in: bytes, from: from) {
            guard let end = UTF8Search.firstIndex(of: close, in: bytes, from: start + open.count) else { break }
            out.append(UTF8Search.string(bytes, (start + open.count)..<end))
            from = end + close.count
        }
        return out
    }

    /// The answer under the given extraction rule.
    public static func extractAnswer(_ text: String, rule: AnswerExtraction) -> String? {
        let matches = blocks(text, open: answerOpen, close: answerClose)
        let minimum = rule == .upstream ? 2 : 1
        guard matches.count >= minimum, let last = matches.last else { return nil }
        return PythonText.strip(last)
    }

    /// `is_retrieval_correct`: a normalised golden answer inside a normalised information block.
    public static func retrievalHit(_ text: String, goldens: [String]) -> Bool {
        for block in blocks(text, open: infoOpen, close: infoClose) {
            let normalizedBlock = AnswerMatching.normalize(PythonText.strip(block))
            for gold in goldens where PythonText.contains(normalizedBlock, AnswerMatching.normalize(gold)) {
                return true
            }
        }
        return false
    }

    /// Scores a decoded sequence.
    ///
    /// With `.upstream` extraction `text` is the whole decoded sequence, as upstream's
    /// scorer receives it, and format validity needs the ChatML assistant marker. With
    /// `.response` extraction `text` is the response alone and format validity checks
    /// all of it.
    public static func score(_ text: String, goldens: [String], scheme: Scheme,
                             weights: FormatWeights = FormatWeights(), extraction: AnswerExtraction) -> Score {
        let answer = extractAnswer(text, rule: extraction)
        let em = answer.map { AnswerMatching.exactMatch($0, goldens) } ?? false
        let valid = extraction == .upstream ? SearchR1FormatCheck.isValidSequence(text)
                                            : SearchR1FormatCheck.isValidResponse(text)
        // Upstream only looks at retrieval when the format is valid.
        let hit = valid && retrievalHit(text, goldens: goldens)
        let value: Double
        switch scheme {
        case .em:
            value = em ? 1 : 0
        case .subem:
            value = answer.map { AnswerMatching.subExactMatch($0, goldens) ? 1 : 0 } ?? 0
        case .format:
            value = formatReward(answered: answer != nil, em: em, valid: valid, hit: hit, weights: weights)
        }
        return Score(score: value, answer: answer, exactMatch: em, formatValid: valid, retrievalHit: hit)
    }

    /// The branch table of `qa_em_format.compute_score_em` (search-r1-notes.md §3.2).
    public static func formatReward(answered: Bool, em: Bool, valid: Bool, hit: Bool, weights: FormatWeights) -> Double {
        let shaped = hit ? weights.structureFormatScore + weights.retrievalScore : weights.structureFormatScore
        if !answered { return valid ? shaped : 0 }
        if em { return valid ? 1 : 1 - weights.structureFormatScore }
        return valid ? shaped : weights.finalFormatScore
    }
}

/// `is_valid_sequence` of `qa_em_format.py`: balanced tags, then a state machine over
/// the tag sequence that allows only whitespace between tags.
public enum SearchR1FormatCheck {
    static let tagNames = ["think", "search", "information", "answer"]

    /// Upstream's check on a whole decoded sequence: the response starts after the first
    /// `<|im_start|>assistant` and any whitespace; no marker means invalid.
    public static func isValidSequence(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let marker = Array(SearchR1Format.assistantMarker.utf8)
        guard let at = UTF8Search.firstIndex(of: marker, in: bytes, from: 0) else { return false }
        var start = at + marker.count
        // `\s*` in a str pattern is Unicode whitespace; decode scalars to skip it.
        let rest = String(decoding: bytes[start...], as: UTF8.self)
        var skipped = 0
        for scalar in rest.unicodeScalars {
            guard PythonText.isSpace(scalar) else { break }
            skipped += String(scalar).utf8.count
        }
        start += skipped
        return isValidResponse(UTF8Search.string(bytes, start..<bytes.count))
    }

    /// The state machine on response text alone.
    public static func isValidResponse(_ content: String) -> Bool { formatViolation(content) == nil }

    /// Why the state machine rejects response text, in one line; nil when it accepts it.
    public static func formatViolation(_ content: String) -> String? {
        let bytes = Array(content.utf8)
        for name in tagNames {
            let opened = count(Array("<\(name)>".utf8), in: bytes), closed = count(Array("</\(name)>".utf8), in: bytes)
            if opened != closed { return "\(opened) <\(name)> but \(closed) </\(name)>" }
        }
        var state = "start"
        for part in splitOnTags(bytes) {
            switch part {
            case .tag(let tag):
                guard let next = transition(from: state, on: tag) else { return "\(tag) where \(expected(after: state)) must come" }
                state = next
            case .text(let text):
                if PythonText.strip(text).isEmpty { continue }
                switch state {
                case "in_think", "in_search", "in_information", "in_answer": continue
                default: return "text outside the tags where \(expected(after: state)) must come"
                }
            }
        }
        return state == "end" ? nil : "it ends where \(expected(after: state)) must come"
    }

    /// The tags the state machine accepts next, for messages.
    static func expected(after state: String) -> String {
        switch state {
        case "start", "information": return "<think>"
        case "after_think": return "<search> or <answer>"
        case "after_search": return "<information>"
        case "end": return "nothing"
        default: return "</" + state.dropFirst(3) + ">"
        }
    }

    static func transition(from state: String, on tag: String) -> String? {
        switch (tag, state) {
        case ("<think>", "start"), ("<think>", "information"): return "in_think"
        case ("</think>", "in_think"): return "after_think"
        case ("<search>", "after_think"): return "in_search"
        case ("</search>", "in_search"): return "after_search"
        case ("<information>", "after_search"): return "in_information"
        case ("</information>", "in_information"): return "information"
        case ("<answer>", "after_think"): return "in_answer"
        case ("</answer>", "in_answer"): return "end"
        default: return nil
        }
    }

    enum Part { case tag(String), text(String) }

    static func count(_ needle: [UInt8], in bytes: [UInt8]) -> Int {
        var n = 0, from = 0
        while let at = UTF8Search.firstIndex(of: needle, in: bytes, from: from) { n += 1; from = at + needle.count }
        return n
    }

    /// `re.split(r"(</?(?:think|search|information|answer)>)", content)`.
    static func splitOnTags(_ bytes: [UInt8]) -> [Part] {
        var parts: [Part] = []
        var textStart = 0, i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), let length = tagLength(bytes, at: i) {
                parts.append(.text(UTF8Search.string(bytes, textStart..<i)))
                parts.append(.tag(UTF8Search.string(bytes, i..<(i + length))))
                i += length
                textStart = i
            } else {
                i += 1
            }
        }
        parts.append(.text(UTF8Search.string(bytes, textStart..<bytes.count)))
        return parts
    }

    static func tagLength(_ bytes: [UInt8], at i: Int) -> Int? {
        for name in tagNames {
            for tag in ["<\(name)>", "</\(name)>"] where UTF8Search.hasPrefix(Array(tag.utf8), in: bytes, at: i) {
                return tag.utf8.count
            }
        }
        return nil
    }
}
