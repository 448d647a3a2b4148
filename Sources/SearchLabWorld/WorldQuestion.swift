// One question of a world's dataset, in FlashRAG / Search-R1 form.
import SearchLabCore

/// A dataset record: `{"id", "question", "golden_answers", "data_source", "metadata"}`.
///
/// `metadata` says how the question is answered: the passages to read in hop order, the
/// relations followed and the entities met. The oracle engine serves
/// ``Metadata/supportingPassages``; the trainer groups results by ``dataSource``.
public struct WorldQuestion: Codable, Hashable, Sendable {
    /// `train_<n>` or `test_<n>`, unique within a world.
    public var id: String
    /// The question text, lowercase templates around invented names, ending in `?`.
    public var question: String
    /// The answer's name first, then its aliases.
    public var goldenAnswers: [String]
    /// `sim-1hop`, `sim-2hop` or `sim-3hop`.
    public var dataSource: String
    public var metadata: Metadata

    public struct Metadata: Codable, Hashable, Sendable {
        /// Corpus ids of the passages stating each hop's fact, in hop order.
        public var supportingPassages: [String]
        /// Relation names, first hop first (`["written_by", "born_in"]`).
        public var relationChain: [String]
        /// Entity names from the question's entity to the answer (hops + 1 names).
        public var entityChain: [String]

        public init(supportingPassages: [String], relationChain: [String], entityChain: [String]) {
            self.supportingPassages = supportingPassages
            self.relationChain = relationChain
            self.entityChain = entityChain
        }

        enum CodingKeys: String, CodingKey {
            case supportingPassages = "supporting_passages"
            case relationChain = "relation_chain"
            case entityChain = "entity_chain"
        }
    }

    public init(id: String, question: String, goldenAnswers: [String], dataSource: String, metadata: Metadata) {
        self.id = id
        self.question = question
        self.goldenAnswers = goldenAnswers
        self.dataSource = dataSource
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, question, metadata
        case goldenAnswers = "golden_answers"
        case dataSource = "data_source"
    }

    /// The number of searches the question needs.
    public var hops: Int { metadata.relationChain.count }

    /// The `data_source` of a question with `hops` hops.
    public static func dataSource(hops: Int) -> String { "sim-\(hops)hop" }
}
