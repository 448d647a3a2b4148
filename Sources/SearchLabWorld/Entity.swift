// The invented things the world is made of: typed entities and the facts about them.

/// The type of an entity. Relations are typed by it (a person is born in a city).
public enum EntityType: String, Codable, CaseIterable, Sendable, Comparable {
    case person, city, country, organisation, work

    public static func < (a: EntityType, b: EntityType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The finer kinds an entity of this type can have. Kind sets are disjoint across
    /// types, so a kind can disambiguate a shared name in a title ("Kelmar (band)").
    public var kinds: [String] {
        switch self {
        case .person: return ["writer", "painter", "singer", "engineer", "scholar", "merchant"]
        case .city: return ["city"]
        case .country: return ["country"]
        case .organisation: return ["band", "company", "university", "society"]
        case .work: return ["novel", "poem", "song", "play"]
        }
    }

    /// The share of entities of this type in a world (the person type takes the rest).
    var share: Double {
        switch self {
        case .person: return 0.40
        case .city: return 0.22
        case .country: return 0.06
        case .organisation: return 0.14
        case .work: return 0.18
        }
    }
}

/// A subject–relation–object triple, stated in exactly one passage of the subject.
public struct Fact: Codable, Hashable, Sendable {
    public var relation: Relation
    /// Index of the object entity in ``World/entities``.
    public var object: Int
    /// Id number of the passage that states the fact (the corpus id is its decimal text).
    public var passage: Int

    public init(relation: Relation, object: Int, passage: Int) {
        self.relation = relation
        self.object = object
        self.passage = passage
    }
}

/// An invented entity: a name composed from syllables, a type and kind, and its facts.
public struct Entity: Codable, Hashable, Sendable {
    /// Position in ``World/entities``; passages `index·K ..< (index+1)·K` describe it.
    public var index: Int
    public var type: EntityType
    public var kind: String
    /// The name used in text, questions and answers; unique within the type.
    public var name: String
    /// The passage title (without quotes): the name, or `name (kind)` when another entity
    /// of any type has the same name.
    public var title: String
    /// Other accepted answer strings (an official country name, a unique surname…).
    public var aliases: [String]
    /// Facts with this entity as subject, in ``Relation`` order.
    public var facts: [Fact]
    /// Entities it is easily confused with (same name in another type, or a name one
    /// letter apart in the same type), ascending.
    public var confusable: [Int]

    /// The accepted answers naming this entity: the name first, then the aliases.
    public var answers: [String] { [name] + aliases }

    /// The fact for `relation`, if this entity has one.
    public func fact(_ relation: Relation) -> Fact? {
        facts.first { $0.relation == relation }
    }
}
