// Wiki-style passages: each entity has K passages under one title; each fact is stated
// in exactly one of them, among filler and distractor sentences from a small vocabulary.
import SearchLabCore

/// Renders passages. A passage depends only on the world and its id, so passages can be
/// streamed to disk or rendered again on demand.
struct PassageRenderer {
    let seed: UInt64
    let entities: [Entity]
    let byType: [EntityType: [Int]]
    let passagesPerEntity: Int

    /// The text of passage `slot` (0-based) of `entity`, without the title.
    func text(entity: Entity, slot: Int) -> String {
        var random = RandomStream(seed: seed, purpose: "world.passage", UInt64(entity.index), UInt64(slot))
        let passageId = entity.index * passagesPerEntity + slot
        var body: [String] = []
        for fact in entity.facts where fact.passage == passageId {
            body.append(fact.relation.sentence(entity.name, entities[fact.object].name, variant: random.nextIndex(below: 2)))
        }
        // One or two fillers; the second uses a different template.
        let first = random.nextIndex(below: 4)
        body.append(filler(entity, template: first, &random))
        if random.nextIndex(below: 2) == 1 { body.append(filler(entity, template: (first + 1 + random.nextIndex(below: 3)) % 4, &random)) }
        if slot == min(1, passagesPerEntity - 1), !entity.confusable.isEmpty {
            let other = entities[entity.confusable[random.nextIndex(below: entity.confusable.count)]]
            body.append("\(entity.name) should not be confused with the \(other.kind) \(other.name).")
        }
        if random.nextUnitDouble() < 0.35, let mention = mention(entity, &random) { body.append(mention) }
        body.shuffle(using: &random)
        if slot == 0 { body.insert(lead(entity), at: 0) }
        return body.joined(separator: " ")
    }

    /// The first sentence of an entity's first passage.
    private func lead(_ entity: Entity) -> String {
        switch entity.type {
        case .country: return "\(entity.name), officially the \(CountryNames.official(entity)), is a country."
        default: return "\(entity.name) is a \(entity.kind)."
        }
    }

    private static let adjectives = ["old", "large", "quiet", "busy", "famous", "modern", "small", "bright"]
    private static let places = ["harbour", "market", "bridges", "gardens", "towers"]
    private static let climates = ["mild", "cold", "dry", "wet", "warm"]
    private static let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    private static let seasons = ["spring", "summer", "autumn", "winter"]
    private static let goods = ["grain", "wool", "salt", "timber", "copper", "fish"]

    /// A sentence that states nothing a question asks about.
    private func filler(_ entity: Entity, template choice: Int, _ random: inout RandomStream) -> String {
        let s = entity.name
        func pick(_ items: [String]) -> String { items[random.nextIndex(below: items.count)] }
        let number = 2 + random.nextIndex(below: 98)
        switch (entity.type, choice) {
        case (.person, 0): return "\(s) worked as a \(entity.kind) for many years."
        case (.person, 1): return "\(s) was known for a \(pick(Self.adjectives)) style."
        case (.person, 2): return "\(s) often travelled in \(pick(Self.seasons))."
        case (.person, _): return "\(s) had \(number) friends in the \(pick(Self.places))."
        case (.city, 0): return "\(s) has a population of about \(number) thousand."
        case (.city, 1): return "\(s) is known for its \(pick(Self.adjectives)) \(pick(Self.places))."
        case (.city, 2): return "The climate of \(s) is \(pick(Self.climates))."
        case (.city, _): return "\(s) holds a market every \(pick(Self.days))."
        case (.country, 0): return "\(s) has a \(pick(Self.climates)) climate."
        case (.country, 1): return "The main export of \(s) is \(pick(Self.goods))."
        case (.country, 2): return "\(s) is divided into \(number) provinces."
        case (.country, _): return "\(s) is known for its \(pick(Self.adjectives)) \(pick(Self.places))."
        case (.organisation, 0): return "\(s) has about \(number) members."
        case (.organisation, 1): return "\(s) is known for its \(pick(Self.adjectives)) work."
        case (.organisation, 2): return "\(s) meets every \(pick(Self.days))."
        case (.organisation, _): return "\(s) grew quickly in its first \(number) years."
        case (.work, 0): return "\(s) is \(pick(Self.adjectives)) in tone."
        case (.work, 1): return "\(s) is often praised for its \(pick(Self.adjectives)) ending."
        case (.work, 2): return "\(s) was first shared in \(pick(Self.seasons))."
        case (.work, _): return "\(s) is a \(entity.kind) in \(number) parts."
        }
    }

    /// A sentence linking the entity to a random other entity: the kind of co-occurrence
    /// that makes a passage look relevant to a question it does not answer.
    private func mention(_ entity: Entity, _ random: inout RandomStream) -> String? {
        func any(_ type: EntityType) -> Entity? {
            guard let list = byType[type], !list.isEmpty else { return nil }
            return entities[list[random.nextIndex(below: list.count)]]
        }
        let s = entity.name
        switch entity.type {
        case .person: return any(.city).map { "\(s) once visited \($0.name)." }
        case .city: return any(.person).map { "The \($0.kind) \($0.name) once lived in \(s)." }
        case .country: return any(.country).flatMap { $0.index == entity.index ? nil : $0 }.map { "\(s) signed a treaty with \($0.name)." }
        case .organisation: return any(.person).map { "\($0.name) once worked with \(s)." }
        case .work: return any(.city).map { "\(s) mentions \($0.name)." }
        }
    }
}
