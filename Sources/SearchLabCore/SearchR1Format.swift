// Search-R1's text protocol, character for character (search-r1-notes.md §1).

/// The exact strings and text transforms of Search-R1's rollout loop.
public enum SearchR1Format {
    /// The training instruction (`make_prefix`, template `base`), up to the question.
    /// Upstream's typos ("as your want") are part of the protocol and kept.
    public static let instructionPrefix =
        "Answer the given question. You must conduct reasoning inside <think> and </think> first every time you get new information. After reasoning, if you find you lack some knowledge, you can call a search engine by <search> query </search> and it will return the top searched results between <information> and </information>. You can search as many times as your want. If you find no further external knowledge needed, you can directly provide the answer inside <answer> and </answer>, without detailed illustrations. For example, <answer> Beijing </answer>. Question: "

    /// Qwen2.5's default system prompt, which base tokenizers' chat template inserts.
    public static let defaultSystemPrompt = "You are a helpful assistant."

    /// The observation after an invalid action. Upstream does not show any penalty to
    /// the model; this text is loss-masked like retrieved documents.
    public static let invalidActionFeedback =
        "\nMy previous action is invalid. If I want to search, I should put the query between <search> and </search>. If I want to give the final answer, I should put the answer between <answer> and </answer>. Let me try again.\n"

    /// Opening of an information observation.
    public static let informationOpen = "\n\n<information>"
    /// Closing of an information observation.
    public static let informationClose = "</information>\n\n"

    static let chatStart = "<|im_start|>"
    static let chatEnd = "<|im_end|>"
    /// The marker after which the response begins in a ChatML sequence.
    public static let assistantMarker = "<|im_start|>assistant"

    // MARK: - Prompt

    /// Upstream question normalisation: `strip()`, then append `?` unless it ends in one.
    /// - Throws: ``SearchLabError`` for a question that is empty after stripping.
    public static func normalizeQuestion(_ question: String) throws -> String {
        let stripped = PythonText.strip(question)
        guard let last = stripped.unicodeScalars.last else {
            throw SearchLabError("empty question: expected non-whitespace text")
        }
        return last == "?" ? stripped : stripped + "?"
    }

    /// The user message: instruction + normalised question + `\n`.
    public static func instruction(question: String) throws -> String {
        instructionPrefix + (try normalizeQuestion(question)) + "\n"
    }

    /// Qwen's ChatML rendering with `add_generation_prompt=True`.
    public static func chatML(user: String, system: String = defaultSystemPrompt) -> String {
        "\(chatStart)system\n\(system)\(chatEnd)\n\(chatStart)user\n\(user)\(chatEnd)\n\(assistantMarker)\n"
    }

    /// The full prompt for a question, ChatML-wrapped unless `chat` is false (a tokenizer
    /// without a chat template gets the raw instruction).
    public static func prompt(question: String, chat: Bool = true, system: String = defaultSystemPrompt) throws -> String {
        let user = try instruction(question: question)
        return chat ? chatML(user: user, system: system) : user
    }

    // MARK: - Turns

    /// Per-turn truncation: cut after the first `</search>` if there is one, else after
    /// the first `</answer>`, else keep everything. `</search>` wins even when
    /// `</answer>` comes earlier (upstream precedence).
    public static func truncateTurn(_ generation: String) -> String {
        let bytes = Array(generation.utf8)
        for tag in ["</search>", "</answer>"] {
            let needle = Array(tag.utf8)
            if let at = UTF8Search.firstIndex(of: needle, in: bytes, from: 0) {
                return UTF8Search.string(bytes, 0..<(at + needle.count))
            }
        }
        return generation
    }

    /// The first `<(search|answer)>(.*?)</\1>` match (DOTALL), content stripped.
    public static func parseAction(_ text: String) -> Action {
        guard let match = firstActionMatch(Array(text.utf8)) else { return .invalid }
        return Action(kind: match.kind, content: PythonText.strip(match.content))
    }

    struct ActionMatch {
        var kind: Action.Kind
        var content: String
        /// Byte range of the whole match, open tag to close tag.
        var range: Range<Int>
    }

    static let searchOpen = Array("<search>".utf8), searchClose = Array("</search>".utf8)
    static let answerOpen = Array("<answer>".utf8), answerClose = Array("</answer>".utf8)

    /// Leftmost-first regex semantics: at each position try `search` then `answer`; a tag
    /// with no close later in the text does not match and the scan moves on.
    static func firstActionMatch(_ bytes: [UInt8]) -> ActionMatch? {
        var i = 0
        while let lt = bytes[i...].firstIndex(of: UInt8(ascii: "<")) {
            for (kind, open, close) in [(Action.Kind.search, searchOpen, searchClose), (.answer, answerOpen, answerClose)]
            where UTF8Search.hasPrefix(open, in: bytes, at: lt) {
                if let end = UTF8Search.firstIndex(of: close, in: bytes, from: lt + open.count) {
                    return ActionMatch(kind: kind, content: UTF8Search.string(bytes, (lt + open.count)..<end),
                                       range: lt..<(end + close.count))
                }
            }
            i = lt + 1
        }
        return nil
    }

    // MARK: - Observations

    /// Splits corpus `contents` into title (first line, quotes kept) and text (the rest).
    public static func splitContents(_ contents: String) -> (title: String, text: String) {
        let bytes = Array(contents.utf8)
        guard let nl = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return (contents, "") }
        return (UTF8Search.string(bytes, 0..<nl), UTF8Search.string(bytes, (nl + 1)..<bytes.count))
    }

    /// `_passages2string`: `Doc {i}(Title: {title}) {text}\n` for each document.
    public static func formatDocuments(_ documents: [RetrievedDocument]) -> String {
        var out = ""
        for (i, doc) in documents.enumerated() {
            out += "Doc \(i + 1)(Title: \(doc.title)) \(doc.text)\n"
        }
        return out
    }

    /// The observation after a search: `\n\n<information>{docs.strip()}</information>\n\n`.
    public static func informationBlock(_ documents: [RetrievedDocument]) -> String {
        informationOpen + PythonText.strip(formatDocuments(documents)) + informationClose
    }

    /// An information observation with its documents.
    public static func informationObservation(_ documents: [RetrievedDocument]) -> Observation {
        Observation(kind: .information, text: informationBlock(documents), documents: documents)
    }

    /// The fixed observation after an invalid action.
    public static let invalidObservation = Observation(kind: .invalidFeedback, text: invalidActionFeedback)

    /// Parses the inside of an `<information>` block back into documents. Each document
    /// starts at `Doc {i}(Title: ` with `i` counting from 1; a title that starts with a
    /// quote runs to the closing `") `, otherwise to the first `) `.
    public static func parseDocuments(_ inner: String) -> [RetrievedDocument] {
        let bytes = Array(inner.utf8)
        var starts: [Int] = []
        var expected = 1
        var from = 0
        while true {
            let marker = Array((expected == 1 ? "Doc 1(Title: " : "\nDoc \(expected)(Title: ").utf8)
            guard let at = UTF8Search.firstIndex(of: marker, in: bytes, from: from) else { break }
            if expected == 1 && at != 0 { break }
            starts.append(expected == 1 ? 0 : at + 1)
            from = at + marker.count
            expected += 1
        }
        var documents: [RetrievedDocument] = []
        for (k, start) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] - 1 : bytes.count
            let headerLength = Array("Doc \(k + 1)(Title: ".utf8).count
            let body = Array(bytes[(start + headerLength)..<end])
            let (title, text) = splitTitle(body)
            documents.append(RetrievedDocument(id: nil, title: title, text: text, score: nil, rank: k + 1))
        }
        return documents
    }

    private static func splitTitle(_ body: [UInt8]) -> (String, String) {
        let quoted = body.first == UInt8(ascii: "\"")
        let close = Array((quoted ? "\") " : ") ").utf8)
        guard let at = UTF8Search.firstIndex(of: close, in: body, from: quoted ? 1 : 0) else {
            return (String(decoding: body, as: UTF8.self), "")
        }
        let titleEnd = at + (quoted ? 1 : 0)
        return (UTF8Search.string(body, 0..<titleEnd), UTF8Search.string(body, (titleEnd + 2)..<body.count))
    }
}
