// The scripted demonstration agent: it plays the pretrained LLM's "prior" in simulation.
// It knows the right search plan for each question but deliberately makes the mistakes
// a weak base model makes (no search, wrong entity, wrong span, skipped hops), so a
// policy pretrained on its demonstrations knows the format and the world's language but
// not a good strategy — the room that RL has to improve.
import Foundation
import SearchLabCore

/// The correct way to answer one question: one search per hop.
public struct DemonstrationPlan: Hashable, Sendable {
    /// One hop: the entity to search about, the words that ask for the relation, and the
    /// entity that search reveals.
    public struct Hop: Hashable, Sendable {
        public var entity: String
        public var relationWords: String
        public var found: String
        public init(entity: String, relationWords: String, found: String) {
            self.entity = entity
            self.relationWords = relationWords
            self.found = found
        }

        /// The search query: "<entity> <relation words>".
        public var query: String { query(about: entity) }

        /// The same query about another entity (a wrong-entity mistake).
        public func query(about name: String) -> String { "\(name) \(relationWords)" }
    }
    public var hops: [Hop]
    /// Plausible wrong names (distractors) the agent may search for or answer with.
    public var decoys: [String]

    public init(hops: [Hop], decoys: [String]) {
        precondition(!hops.isEmpty, "a plan needs at least one hop")
        self.hops = hops
        self.decoys = decoys
    }

    /// The final answer: what the last hop reveals.
    public var answer: String { hops[hops.count - 1].found }
}

/// How often the agent errs; each demonstration makes at most one kind of mistake.
public struct MistakeRates: Hashable, Sendable, Codable {
    /// Answers straight away, guessing a decoy, without searching.
    public var answerWithoutSearch: Double
    /// Searches for a decoy instead of the right entity, then answers from what it got.
    public var wrongEntity: Double
    /// Searches correctly but answers with a decoy.
    public var wrongSpan: Double
    /// On a multi-hop question, answers with an intermediate entity after one hop.
    public var skipHop: Double

    public init(answerWithoutSearch: Double = 0.2, wrongEntity: Double = 0.15, wrongSpan: Double = 0.15, skipHop: Double = 0.2) {
        self.answerWithoutSearch = answerWithoutSearch
        self.wrongEntity = wrongEntity
        self.wrongSpan = wrongSpan
        self.skipHop = skipHop
    }
}

/// A text-level ``TurnPolicy`` that follows a ``DemonstrationPlan`` with seeded mistakes.
public struct ScriptedAgent: TurnPolicy {
    enum Mistake: Equatable { case none, answerWithoutSearch, wrongEntity(hop: Int), wrongSpan, skipHop }

    public let seed: UInt64
    public let rates: MistakeRates
    let plan: @Sendable (Question) -> DemonstrationPlan?

    /// - Parameter plan: the plan for a question, or `nil` when unknown (the agent then gives up).
    public init(seed: UInt64, rates: MistakeRates = MistakeRates(), plan: @escaping @Sendable (Question) -> DemonstrationPlan?) {
        self.seed = seed
        self.rates = rates
        self.plan = plan
    }

    public mutating func generate(_ requests: [TurnRequest]) throws -> [GeneratedTurn] {
        requests.map { request in
            let text = turnText(request)
            return GeneratedTurn(text: text, tokens: [])
        }
    }

    /// The mistake of one demonstration, drawn once from its own stream so that it does not
    /// depend on the batch.
    func mistake(for sequenceID: UInt64, hops: Int) -> Mistake {
        var random = RandomStream(seed: seed, purpose: "scripted-agent.mistake", sequenceID)
        let u = random.nextUnitDouble()
        var edge = rates.answerWithoutSearch
        if u < edge { return .answerWithoutSearch }
        edge += rates.wrongEntity
        if u < edge { return .wrongEntity(hop: random.nextIndex(below: hops)) }
        edge += rates.wrongSpan
        if u < edge { return .wrongSpan }
        edge += rates.skipHop
        if u < edge && hops > 1 { return .skipHop }
        return .none
    }

    func decoy(_ plan: DemonstrationPlan, _ sequenceID: UInt64, _ salt: UInt64) -> String {
        guard !plan.decoys.isEmpty else { return plan.hops[0].found }
        var random = RandomStream(seed: seed, purpose: "scripted-agent.decoy", sequenceID, salt)
        return plan.decoys[random.nextIndex(below: plan.decoys.count)]
    }

    func turnText(_ request: TurnRequest) -> String {
        guard let plan = plan(request.question) else {
            return "<think> I do not know. </think>\n<answer> unknown </answer>"
        }
        let turn = request.turn
        switch mistake(for: request.sequenceID, hops: plan.hops.count) {
        case .answerWithoutSearch:
            return answer(decoy(plan, request.sequenceID, 0), reason: "I think I know this.")
        case .wrongEntity(let hop) where turn == hop:
            let wrong = decoy(plan, request.sequenceID, 1)
            return search(plan.hops[hop].query(about: wrong), after: turn > 0 ? plan.hops[turn - 1].found : nil)
        case .wrongEntity(let hop) where turn == hop + 1:
            return answer(firstTitle(in: request.contextText) ?? decoy(plan, request.sequenceID, 2),
                          reason: "The documents name it.")
        case .skipHop where turn == 1:
            return answer(plan.hops[0].found, reason: "\(plan.hops[0].found) is the answer.")
        case .wrongSpan where turn == plan.hops.count:
            return answer(decoy(plan, request.sequenceID, 3), reason: "The documents name it.")
        default:
            if turn < plan.hops.count {
                return search(plan.hops[turn].query, after: turn > 0 ? plan.hops[turn - 1].found : nil)
            }
            return answer(plan.answer, reason: "\(plan.answer) is the answer.")
        }
    }

    func search(_ query: String, after found: String?) -> String {
        let lead = found.map { "The documents say \($0). " } ?? ""
        return "<think> \(lead)I need to search for \(query). </think>\n<search> \(query) </search>"
    }

    func answer(_ text: String, reason: String) -> String {
        "<think> \(reason) </think>\n<answer> \(text) </answer>"
    }

    /// The title of the first document of the last observation, quotes removed.
    func firstTitle(in text: String) -> String? {
        guard let range = text.range(of: "Doc 1(Title: ", options: .backwards) else { return nil }
        let rest = text[range.upperBound...]
        guard let end = rest.range(of: ") ") else { return nil }
        let title = rest[..<end.lowerBound]
        return String(title.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    }
}
