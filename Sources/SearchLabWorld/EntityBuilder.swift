// Builds the entities of a world: types, names with distractors, facts, titles, aliases.
import SearchLabCore

/// Builds ``Entity`` values for a configuration. Names are drawn in index order because
/// uniqueness and near-duplicates depend on the names drawn before; everything else is
/// keyed per entity, so it does not depend on that order.
struct EntityBuilder {
    let config: WorldConfig
    private(set) var types: [EntityType] = []
    private(set) var byType: [EntityType: [Int]] = [:]
    /// Position of each entity in its type's list (`byType[type][position] == index`).
    private var positionInType: [Int] = []
    private var names: [String] = []
    private var kinds: [String] = []
    private var confusable: [[Int]] = []

    init(config: WorldConfig) { self.config = config }

    mutating func build() -> [Entity] {
        assignTypes()
        assignNames()
        return (0..<config.entities).map(makeEntity)
    }

    /// Type counts from the shares (countries ≥ 2, cities ≥ countries), then a seeded
    /// shuffle so that types interleave in index (and passage id) order.
    private mutating func assignTypes() {
        let n = config.entities
        var counts: [EntityType: Int] = [:]
        for type in EntityType.allCases where type != .person { counts[type] = Int(Double(n) * type.share) }
        counts[.country] = max(2, counts[.country]!)
        counts[.city] = max(counts[.country]! + 1, counts[.city]!)
        counts[.person] = n - EntityType.allCases.filter { $0 != .person }.reduce(0) { $0 + counts[$1]! }
        types = EntityType.allCases.flatMap { Array(repeating: $0, count: counts[$0]!) }
        var random = RandomStream(seed: config.seed, purpose: "world.types")
        types.shuffle(using: &random)
        positionInType = Array(repeating: 0, count: n)
        for (index, type) in types.enumerated() {
            positionInType[index] = byType[type]?.count ?? 0
            byType[type, default: []].append(index)
        }
    }

    private mutating func assignNames() {
        var naming = NamePool(config: config, personCount: byType[.person]?.count ?? 0)
        for index in 0..<config.entities {
            var drawer = NameDrawer(random: RandomStream(seed: config.seed, purpose: "world.name", UInt64(index)))
            let (name, twin, kind) = naming.draw(type: types[index], kind: drawer.pick(types[index].kinds),
                                                 index: index, drawer: &drawer)
            names.append(name)
            kinds.append(kind)
            confusable.append([])
            if let twin {
                confusable[index].append(twin)
                confusable[twin].append(index)
            }
        }
    }

    private func makeEntity(_ index: Int) -> Entity {
        Entity(index: index, type: types[index], kind: kinds[index], name: names[index],
               title: names[index], aliases: [], facts: facts(of: index),
               confusable: Array(Set(confusable[index])).sorted())
    }

    /// One object per configured relation of the subject's type. Capitals come first: the
    /// k-th country's capital is the k-th city, which is also located in it.
    private func facts(of index: Int) -> [Fact] {
        var random = RandomStream(seed: config.seed, purpose: "world.facts", UInt64(index))
        var slots = Array(0..<config.passagesPerEntity)
        slots.shuffle(using: &random)
        let cities = byType[.city]!, countries = byType[.country]!
        var facts: [Fact] = []
        for relation in config.relations where relation.subjectType == types[index] {
            let object: Int?
            switch relation {
            case .hasCapital:
                object = cities[positionInType[index]]
            case .capitalOf:
                let k = positionInType[index]
                object = k < countries.count ? countries[k] : nil
            case .locatedIn:
                let k = positionInType[index]
                object = k < countries.count ? countries[k] : countries[random.nextIndex(below: countries.count)]
            default:
                let candidates = byType[relation.objectType] ?? []
                object = candidates.isEmpty ? nil : candidates[random.nextIndex(below: candidates.count)]
            }
            guard let object else { continue }
            let slot = slots[facts.count % slots.count]
            facts.append(Fact(relation: relation, object: object, passage: index * config.passagesPerEntity + slot))
        }
        return facts
    }
}

extension [Entity] {
    /// Titles get the kind when a name is shared across types; aliases are added where a
    /// shorter or official form names the entity unambiguously.
    mutating func finishTitlesAndAliases() {
        var nameCounts: [String: Int] = [:]
        var familyCounts: [String: Int] = [:]
        for entity in self {
            nameCounts[entity.name, default: 0] += 1
            if entity.type == .person, let family = entity.name.split(separator: " ").last {
                familyCounts[String(family), default: 0] += 1
            }
        }
        for i in indices {
            let entity = self[i]
            if nameCounts[entity.name]! > 1 { self[i].title = "\(entity.name) (\(entity.kind))" }
            self[i].aliases = Self.aliases(of: entity, familyCounts: familyCounts, nameCounts: nameCounts)
        }
    }

    private static func aliases(of entity: Entity, familyCounts: [String: Int], nameCounts: [String: Int]) -> [String] {
        switch entity.type {
        case .person:
            let family = String(entity.name.split(separator: " ").last!)
            return familyCounts[family] == 1 && nameCounts[family] == nil ? [family] : []
        case .country:
            return [CountryNames.official(entity)]
        case .organisation where entity.name.hasPrefix("University of "):
            return [String(entity.name.dropFirst("University of ".count)) + " University"]
        default:
            return []
        }
    }
}

/// The official form of a country name ("Kingdom of Velmaria"), fixed by the entity index.
enum CountryNames {
    static func official(_ entity: Entity) -> String {
        let forms = NameSyllables.countryForms
        return "\(forms[entity.index % forms.count]) of \(entity.name)"
    }
}
