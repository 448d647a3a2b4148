// The trajectory: the one language every SearchLab layer speaks.
//
// Canonical JSON (see `CanonicalJSON`) uses the snake_case keys below. A trajectory's
// text is recovered exactly by `render()`: prompt, then each turn's kept text and
// observation text, then `trailing`.

/// The question a trajectory answers.
public struct Question: Codable, Hashable, Sendable {
    /// Unique question id (FlashRAG `id`, or `source/index` for imported rows).
    public var id: String
    /// Data source such as `nq`, `hotpotqa`, `sim-2hop`.
    public var dataSource: String
    /// The question text as it appears in the prompt (normalised: stripped, ends in `?`).
    public var text: String
    /// Accepted answers; EM against any of them.
    public var goldenAnswers: [String]
    /// Key of the GRPO group this sample belongs to (the question id by default).
    public var groupID: String
    /// Index of this sample within its group (`0..<n_agent`).
    public var sampleIndex: Int

    public init(id: String, dataSource: String, text: String, goldenAnswers: [String],
                groupID: String? = nil, sampleIndex: Int = 0) {
        self.id = id
        self.dataSource = dataSource
        self.text = text
        self.goldenAnswers = goldenAnswers
        self.groupID = groupID ?? id
        self.sampleIndex = sampleIndex
    }

    enum CodingKeys: String, CodingKey {
        case id, text
        case dataSource = "data_source"
        case goldenAnswers = "golden_answers"
        case groupID = "group_id"
        case sampleIndex = "sample_index"
    }
}

/// What a turn asked for, by Search-R1's first-match rule `<(search|answer)>(.*?)</\1>`.
public struct Action: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case search, answer, invalid
    }
    public var kind: Kind
    /// The stripped query or answer; `nil` for invalid actions.
    public var content: String?

    public init(kind: Kind, content: String?) {
        self.kind = kind
        self.content = content
    }

    public static func search(_ query: String) -> Action { Action(kind: .search, content: query) }
    public static func answer(_ text: String) -> Action { Action(kind: .answer, content: text) }
    public static let invalid = Action(kind: .invalid, content: nil)
}

/// What the environment appended after a turn.
public struct Observation: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// `\n\n<information>…</information>\n\n` after a search.
        case information
        /// The fixed "My previous action is invalid…" text after an invalid action.
        case invalidFeedback = "invalid_feedback"
    }
    public var kind: Kind
    /// The exact text appended to the context (all of it is loss-masked).
    public var text: String
    /// The documents shown, in rank order (empty for feedback).
    public var documents: [RetrievedDocument]
    /// Whether the observation was cut to the observation-token limit.
    public var truncated: Bool

    public init(kind: Kind, text: String, documents: [RetrievedDocument] = [], truncated: Bool = false) {
        self.kind = kind
        self.text = text
        self.documents = documents
        self.truncated = truncated
    }
}

/// Token accounting for one turn (absent for text-only imports).
public struct TokenCounts: Codable, Hashable, Sendable {
    /// Tokens the policy sampled this turn.
    public var generated: Int
    /// Tokens kept after truncation at the first stop tag.
    public var kept: Int
    /// Observation tokens appended (after the limit).
    public var observation: Int

    public init(generated: Int, kept: Int, observation: Int) {
        self.generated = generated
        self.kept = kept
        self.observation = observation
    }
}

/// Something about the text that departs from Search-R1's well-formed protocol.
public struct Malformation: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// No Search-R1 prompt was recognised; the whole text is treated as response.
        case noPrompt = "no_prompt"
        /// A `<think>`, `<search>` or `<answer>` tag without its partner.
        case unclosedTag = "unclosed_tag"
        /// A tag opened again before it was closed.
        case nestedTag = "nested_tag"
        /// A protocol tag written in another case, e.g. `<Search>`.
        case tagCase = "tag_case"
        /// Non-whitespace text outside `<think>`, `<search>`, `<answer>`.
        case strayText = "stray_text"
        /// Text after the closing tag that ends the turn.
        case textAfterAction = "text_after_action"
        /// `<information>` never closed.
        case unterminatedInformation = "unterminated_information"
        /// An observation that the action does not call for (e.g. after an answer).
        case unexpectedObservation = "unexpected_observation"
        /// A search that got no observation and was not the last turn.
        case missingObservation = "missing_observation"
    }
    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

/// One generation turn and what came back.
public struct Turn: Codable, Hashable, Sendable {
    /// 0-based turn number.
    public var index: Int
    /// The text as generated, before truncation (equals `text` for imported rollouts).
    public var rawGeneration: String
    /// The text kept after truncation at the first `</search>` (else `</answer>`).
    public var text: String
    /// The parsed action.
    public var action: Action
    /// What the environment appended, if anything.
    public var observation: Observation?
    /// Token accounting, when known.
    public var tokens: TokenCounts?
    /// Departures from the protocol found in this turn.
    public var malformations: [Malformation]

    public init(index: Int, rawGeneration: String, text: String, action: Action,
                observation: Observation?, tokens: TokenCounts? = nil, malformations: [Malformation] = []) {
        self.index = index
        self.rawGeneration = rawGeneration
        self.text = text
        self.action = action
        self.observation = observation
        self.tokens = tokens
        self.malformations = malformations
    }

    enum CodingKeys: String, CodingKey {
        case index, text, action, observation, tokens, malformations
        case rawGeneration = "raw_generation"
    }

    /// The kept text and observation of each turn, concatenated.
    public static func concatenated(_ turns: [Turn]) -> String {
        var out = ""
        for turn in turns {
            out += turn.text
            if let observation = turn.observation { out += observation.text }
        }
        return out
    }
}

/// How a trajectory ended and what it scored.
public struct Outcome: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Ended with an answer.
        case finished
        /// Ran out of turns (or tokens) without answering.
        case cutOff = "cut_off"
    }
    /// The last `<answer>` of the response, stripped.
    public var extractedAnswer: String?
    public var exactMatch: Bool
    /// Whether the response passes Search-R1's format state machine.
    public var formatValid: Bool
    /// Whether any golden answer occurs in any `<information>` block.
    public var retrievalHit: Bool
    /// The training reward under the run's reward scheme.
    public var reward: Double
    /// Search calls that were answered with an observation.
    public var searchCount: Int
    /// Turns whose action was valid (search or answer).
    public var validActionCount: Int
    public var status: Status

    public init(extractedAnswer: String?, exactMatch: Bool, formatValid: Bool, retrievalHit: Bool,
                reward: Double, searchCount: Int, validActionCount: Int, status: Status) {
        self.extractedAnswer = extractedAnswer
        self.exactMatch = exactMatch
        self.formatValid = formatValid
        self.retrievalHit = retrievalHit
        self.reward = reward
        self.searchCount = searchCount
        self.validActionCount = validActionCount
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case reward, status
        case extractedAnswer = "extracted_answer"
        case exactMatch = "exact_match"
        case formatValid = "format_valid"
        case retrievalHit = "retrieval_hit"
        case searchCount = "search_count"
        case validActionCount = "valid_action_count"
    }
}

/// Sampling settings that a replay must reuse.
public struct SamplingSettings: Codable, Hashable, Sendable {
    public var temperature: Double
    public var topP: Double
    public var maxTokensPerTurn: Int
    public var maxTurns: Int
    public var maxObservationTokens: Int
    public var contextLimit: Int

    public init(temperature: Double, topP: Double, maxTokensPerTurn: Int, maxTurns: Int,
                maxObservationTokens: Int, contextLimit: Int) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokensPerTurn = maxTokensPerTurn
        self.maxTurns = maxTurns
        self.maxObservationTokens = maxObservationTokens
        self.contextLimit = contextLimit
    }

    enum CodingKeys: String, CodingKey {
        case temperature
        case topP = "top_p"
        case maxTokensPerTurn = "max_tokens_per_turn"
        case maxTurns = "max_turns"
        case maxObservationTokens = "max_observation_tokens"
        case contextLimit = "context_limit"
    }
}

/// Everything needed to regenerate a trajectory bit for bit.
public struct Provenance: Codable, Hashable, Sendable {
    /// The sampling seed of the stream this trajectory drew from.
    public var seed: UInt64
    /// SHA-256 of the policy weights.
    public var checkpointDigest: String?
    public var sampling: SamplingSettings?
    /// ``SearchEngine/fingerprint`` of the engine that answered the searches.
    public var engineFingerprint: String?
    /// Training step that produced it, when it came from a run.
    public var step: Int?

    public init(seed: UInt64, checkpointDigest: String?, sampling: SamplingSettings?,
                engineFingerprint: String?, step: Int? = nil) {
        self.seed = seed
        self.checkpointDigest = checkpointDigest
        self.sampling = sampling
        self.engineFingerprint = engineFingerprint
        self.step = step
    }

    enum CodingKeys: String, CodingKey {
        case seed, sampling, step
        case checkpointDigest = "checkpoint_digest"
        case engineFingerprint = "engine_fingerprint"
    }
}

/// A question, its prompt, its turns, and how it ended.
public struct Trajectory: Codable, Hashable, Sendable {
    /// Version of this JSON form; readers refuse newer versions.
    public static let schemaVersion = 1

    public var schemaVersion: Int
    public var question: Question
    /// The exact prompt text (ChatML-wrapped or raw), up to where the response begins.
    public var prompt: String
    public var turns: [Turn]
    /// Text after the last turn that belongs to no turn (end-of-sequence tokens, padding,
    /// separators). Kept so that ``render()`` is byte-exact.
    public var trailing: String
    public var outcome: Outcome
    public var provenance: Provenance?
    /// Sequence-level departures from the protocol (per-turn ones live on the turn).
    public var malformations: [Malformation]

    public init(question: Question, prompt: String, turns: [Turn], trailing: String = "",
                outcome: Outcome, provenance: Provenance? = nil, malformations: [Malformation] = []) {
        self.schemaVersion = Trajectory.schemaVersion
        self.question = question
        self.prompt = prompt
        self.turns = turns
        self.trailing = trailing
        self.outcome = outcome
        self.provenance = provenance
        self.malformations = malformations
    }

    enum CodingKeys: String, CodingKey {
        case question, prompt, turns, trailing, outcome, provenance, malformations
        case schemaVersion = "schema_version"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion <= Trajectory.schemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: c,
                debugDescription: "trajectory schema_version \(schemaVersion) is newer than this build reads (\(Trajectory.schemaVersion)); upgrade searchlab")
        }
        question = try c.decode(Question.self, forKey: .question)
        prompt = try c.decode(String.self, forKey: .prompt)
        turns = try c.decode([Turn].self, forKey: .turns)
        trailing = try c.decodeIfPresent(String.self, forKey: .trailing) ?? ""
        outcome = try c.decode(Outcome.self, forKey: .outcome)
        provenance = try c.decodeIfPresent(Provenance.self, forKey: .provenance)
        malformations = try c.decodeIfPresent([Malformation].self, forKey: .malformations) ?? []
    }

    /// Every turn's kept text and observation, in order: the response as the rollout loop
    /// built it, without any trailing end-of-sequence text.
    public var turnsText: String { Turn.concatenated(turns) }

    /// The response: ``turnsText`` then the trailing text.
    public var responseText: String { turnsText + trailing }

    /// The whole decoded sequence, byte for byte: prompt + response.
    public func render() -> String { prompt + responseText }

    /// SHA-256 of the canonical JSON form: equal trajectories, equal digests.
    public func contentDigest() throws -> String { try CanonicalJSON.digest(self) }
}
