// Typed relations and the fixed English templates that state and ask about them.
// The templates are deliberately few and regular: a tiny word-level model must be able
// to learn the language, and the only hard part should be the invented names.

/// A functional relation between two entity types: every subject of the right type has
/// exactly one object (``capitalOf`` only for capital cities).
public enum Relation: String, Codable, CaseIterable, Sendable, Comparable {
    case bornIn = "born_in"
    case citizenOf = "citizen_of"
    case memberOf = "member_of"
    case locatedIn = "located_in"
    case capitalOf = "capital_of"
    case hasCapital = "has_capital"
    case headquarteredIn = "headquartered_in"
    case foundedBy = "founded_by"
    case writtenBy = "written_by"
    case publishedBy = "published_by"
    case setIn = "set_in"

    public static func < (a: Relation, b: Relation) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The relations' wire names, in order, for help text and errors.
    public static var names: [String] { allCases.map(\.rawValue) }

    public var subjectType: EntityType {
        switch self {
        case .bornIn, .citizenOf, .memberOf: return .person
        case .locatedIn, .capitalOf: return .city
        case .hasCapital: return .country
        case .headquarteredIn, .foundedBy: return .organisation
        case .writtenBy, .publishedBy, .setIn: return .work
        }
    }

    public var objectType: EntityType {
        switch self {
        case .bornIn, .headquarteredIn, .setIn, .hasCapital: return .city
        case .citizenOf, .locatedIn, .capitalOf: return .country
        case .memberOf, .publishedBy: return .organisation
        case .foundedBy, .writtenBy: return .person
        }
    }

    /// A sentence stating the fact; `variant` picks one of two phrasings.
    func sentence(_ subject: String, _ object: String, variant: Int) -> String {
        let second = variant % 2 == 1
        switch self {
        case .bornIn: return second ? "\(subject) was born in the city of \(object)." : "\(subject) was born in \(object)."
        case .citizenOf: return second ? "\(subject) holds the citizenship of \(object)." : "\(subject) is a citizen of \(object)."
        case .memberOf: return second ? "\(subject) joined \(object) as a member." : "\(subject) is a member of \(object)."
        case .locatedIn: return second ? "\(subject) lies in \(object)." : "\(subject) is a city in \(object)."
        case .capitalOf: return "\(subject) is the capital of \(object)."
        case .hasCapital: return second ? "Its capital city is \(object)." : "The capital of \(subject) is \(object)."
        case .headquarteredIn: return second ? "\(subject) has its headquarters in \(object)." : "\(subject) is headquartered in \(object)."
        case .foundedBy: return second ? "\(object) founded \(subject)." : "\(subject) was founded by \(object)."
        case .writtenBy: return second ? "\(object) wrote \(subject)." : "\(subject) was written by \(object)."
        case .publishedBy: return second ? "\(object) published \(subject)." : "\(subject) was published by \(object)."
        case .setIn: return second ? "The story of \(subject) takes place in \(object)." : "\(subject) is set in \(object)."
        }
    }

    /// The question asking for the object of `subject`, which is a name or a noun phrase
    /// (``phrase(_:)``) for a multi-hop question.
    func question(_ subject: String) -> String {
        switch self {
        case .bornIn: return "where was \(subject) born?"
        case .citizenOf: return "which country is \(subject) a citizen of?"
        case .memberOf: return "which organisation is \(subject) a member of?"
        case .locatedIn: return "in which country is \(subject) located?"
        case .capitalOf: return "which country is \(subject) the capital of?"
        case .hasCapital: return "what is the capital of \(subject)?"
        case .headquarteredIn: return "in which city is \(subject) headquartered?"
        case .foundedBy: return "who founded \(subject)?"
        case .writtenBy: return "who wrote \(subject)?"
        case .publishedBy: return "which organisation published \(subject)?"
        case .setIn: return "in which city is \(subject) set?"
        }
    }

    /// A noun phrase for the object of `subject`: "the founder of X".
    func phrase(_ subject: String) -> String {
        switch self {
        case .bornIn: return "the birthplace of \(subject)"
        case .citizenOf: return "the home country of \(subject)"
        case .memberOf: return "the organisation of \(subject)"
        case .locatedIn: return "the country containing \(subject)"
        case .capitalOf: return "the country whose capital is \(subject)"
        case .hasCapital: return "the capital of \(subject)"
        case .headquarteredIn: return "the headquarters city of \(subject)"
        case .foundedBy: return "the founder of \(subject)"
        case .writtenBy: return "the author of \(subject)"
        case .publishedBy: return "the publisher of \(subject)"
        case .setIn: return "the setting of \(subject)"
        }
    }

    /// The question for a chain of relations starting at `name`: the first relation is
    /// innermost ("where was the founder of X born?").
    public static func question(chain: [Relation], about name: String) -> String {
        precondition(!chain.isEmpty, "a question needs at least one relation")
        var subject = name
        for relation in chain.dropLast() { subject = relation.phrase(subject) }
        return chain.last!.question(subject)
    }
}
