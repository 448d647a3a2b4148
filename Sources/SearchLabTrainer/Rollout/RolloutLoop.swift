// Search-R1's rollout loop (`LLMGenerationManager.run_llm_loop`, search-r1-notes.md §1.2):
// generate, truncate, parse, one batched engine call per turn, observations appended and
// masked, `maxTurns` searches then one final turn without search, a rolling context
// left-truncated at the context limit.
import SearchLabCore

/// Settings of the rollout loop (verl's `data.*` lengths and `max_turns`).
public struct RolloutSettings: Hashable, Sendable, Codable {
    /// At most this many search turns; then one final turn in which search is disabled.
    public var maxTurns: Int
    /// Tokens kept of each observation (`max_obs_length`).
    public var maxObservationTokens: Int
    /// Rolling-context cap (`max_prompt_length`); older tokens are dropped on the left.
    public var contextLimit: Int
    /// Initial prompt tokens kept (`max_start_length`).
    public var maxStartTokens: Int
    /// Documents per search (`retriever.topk`).
    public var topK: Int

    public init(maxTurns: Int = 4, maxObservationTokens: Int = 500, contextLimit: Int = 4096,
                maxStartTokens: Int = 2048, topK: Int = 3) {
        self.maxTurns = maxTurns
        self.maxObservationTokens = maxObservationTokens
        self.contextLimit = contextLimit
        self.maxStartTokens = maxStartTokens
        self.topK = topK
    }
}

/// One finished rollout: the trajectory and the token view the trainer optimises.
public struct RolloutSample: Sendable {
    public var trajectory: Trajectory
    /// Prompt tokens, the last `maxStartTokens` of them (verl's `left` side).
    public var promptTokens: [Int]
    /// Response tokens: every turn's kept tokens and every observation's tokens.
    public var responseTokens: [Int]
    /// Per response token: `true` when the policy wrote it, `false` for observation tokens
    /// (verl's `info_mask`; with state masking these are excluded from the loss).
    public var generatedMask: [Bool]
}

/// Runs the loop for a batch of questions.
public struct RolloutLoop {
    public var settings: RolloutSettings
    public var tokenizer: any TextTokenizer
    public var engine: any SearchEngine
    public var scoring: ScoringOptions
    /// Renders the prompt for a question (ChatML-wrapped instruction by default).
    public var makePrompt: @Sendable (Question) throws -> String

    public init(settings: RolloutSettings, tokenizer: any TextTokenizer, engine: any SearchEngine,
                scoring: ScoringOptions = .init(),
                makePrompt: @escaping @Sendable (Question) throws -> String = { try SearchR1Format.prompt(question: $0.text) }) {
        self.settings = settings
        self.tokenizer = tokenizer
        self.engine = engine
        self.scoring = scoring
        self.makePrompt = makePrompt
    }

    /// Rolls out every question once; `sequenceIDs[i]` keys row `i`'s sampling streams.
    /// `timer`, when given, receives the `generation` and `retrieval` wall times.
    public func run(_ questions: [Question], sequenceIDs: [UInt64], policy: inout some TurnPolicy,
                    provenance: (Int) -> Provenance? = { _ in nil }, timer: PhaseTimer? = nil) async throws -> [RolloutSample] {
        let timer = timer ?? PhaseTimer()
        precondition(questions.count == sequenceIDs.count, "one sequence id per question")
        var rows = try questions.map { question in
            let prompt = try makePrompt(question)
            return RolloutRow(question: question, prompt: prompt, promptTokens: tokenizer.encode(prompt))
        }
        for turn in 0...settings.maxTurns {
            let active = rows.indices.filter { rows[$0].active }
            if active.isEmpty { break }
            let searchAllowed = turn < settings.maxTurns
            let requests = active.map { i in
                TurnRequest(sequenceID: sequenceIDs[i], turn: turn, context: rows[i].rollingContext(limit: settings.contextLimit),
                            question: rows[i].question, contextText: rows[i].prompt + Turn.concatenated(rows[i].turns))
            }
            let generated = try timer.measure("generation") { try policy.generate(requests) }
            precondition(generated.count == requests.count, "policy must answer every request")
            let actions = zip(active, generated).map { i, g in (i, g, SearchR1Format.parseAction(SearchR1Format.truncateTurn(g.text))) }
            let searchRows = actions.filter { $0.2.kind == .search && searchAllowed }
            let queries = searchRows.map { $0.2.content ?? "" }
            let questionIDs = searchRows.map { rows[$0.0].question.id }
            let hits: [[SearchHit]] = queries.isEmpty ? [] : try await timer.measure("retrieval") { () async throws -> [[SearchHit]] in
                if let rowAware = engine as? any RowAwareSearchEngine {
                    return try await rowAware.search(queries, rows: searchRows.map(\.0), turn: turn, topK: settings.topK)
                }
                if let aware = engine as? any QuestionAwareSearchEngine {
                    return try await aware.search(queries, questionIDs: questionIDs, topK: settings.topK)
                }
                return try await engine.search(queries, topK: settings.topK)
            }
            var hitsByRow: [Int: [SearchHit]] = [:]
            for (k, entry) in searchRows.enumerated() { hitsByRow[entry.0] = hits[k] }
            for (i, g, action) in actions {
                rows[i].append(generation: g, action: action, turn: turn, searchAllowed: searchAllowed,
                               hits: hitsByRow[i], settings: settings, tokenizer: tokenizer)
            }
        }
        return rows.enumerated().map { index, row in
            row.finish(scoring: scoring, provenance: provenance(index), maxStartTokens: settings.maxStartTokens)
        }
    }
}

/// The growing state of one row.
struct RolloutRow {
    let question: Question
    let prompt: String
    let promptTokens: [Int]
    var turns: [Turn] = []
    var responseTokens: [Int] = []
    var generatedMask: [Bool] = []
    var active = true

    init(question: Question, prompt: String, promptTokens: [Int]) {
        self.question = question
        self.prompt = prompt
        self.promptTokens = promptTokens
    }

    /// Prompt + response, keeping only the last `limit` tokens.
    func rollingContext(limit: Int) -> [Int] {
        Array((promptTokens + responseTokens).suffix(limit))
    }

    mutating func append(generation: GeneratedTurn, action: Action, turn: Int, searchAllowed: Bool,
                         hits: [SearchHit]?, settings: RolloutSettings, tokenizer: any TextTokenizer) {
        let kept = SearchR1Format.truncateTurn(generation.text)
        // Upstream re-tokenises the kept text rather than keeping the sampled ids.
        let keptTokens = tokenizer.encode(kept)
        responseTokens += keptTokens
        generatedMask += Array(repeating: true, count: keptTokens.count)
        var observation: Observation?
        switch action.kind {
        case .answer:
            active = false
        case .search where !searchAllowed:
            // The final turn: a search gets no observation and the trajectory ends unanswered.
            active = false
        case .search:
            let documents = (hits ?? []).enumerated().map { RetrievedDocument(document: $1.document, score: $1.score, rank: $0 + 1) }
            observation = SearchR1Format.informationObservation(documents)
        case .invalid:
            observation = searchAllowed ? SearchR1Format.invalidObservation : nil
            if !searchAllowed { active = false }
        }
        var observationTokenCount = 0
        if var shown = observation {
            var tokens = tokenizer.encode(shown.text)
            if tokens.count > settings.maxObservationTokens {
                tokens = Array(tokens.prefix(settings.maxObservationTokens))
                shown.text = tokenizer.decode(tokens)
                shown.truncated = true
                observation = shown
            }
            observationTokenCount = tokens.count
            responseTokens += tokens
            generatedMask += Array(repeating: false, count: tokens.count)
        }
        turns.append(Turn(index: turn, rawGeneration: generation.text, text: kept, action: action, observation: observation,
                          tokens: TokenCounts(generated: generation.tokens.count, kept: keptTokens.count,
                                              observation: observationTokenCount)))
    }

    func finish(scoring: ScoringOptions, provenance: Provenance?, maxStartTokens: Int) -> RolloutSample {
        let outcome = SequenceParser.makeOutcome(turns: turns, goldens: question.goldenAnswers, scoring: scoring)
        let trajectory = Trajectory(question: question, prompt: prompt, turns: turns, outcome: outcome, provenance: provenance)
        return RolloutSample(trajectory: trajectory, promptTokens: Array(promptTokens.suffix(maxStartTokens)),
                             responseTokens: responseTokens, generatedMask: generatedMask)
    }
}
