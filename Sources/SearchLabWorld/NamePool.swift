// Keeps names unique within a type while planting the distractors: shared names across
// types ("Kelmar" the city and "Kelmar" the band) and near-duplicates within a type.
import Foundation
import SearchLabCore

/// The names drawn so far, per type, and the one-word names other types may reuse.
struct NamePool {
    let config: WorldConfig
    private var taken: [EntityType: Set<String>] = [:]
    private var drawn: [EntityType: [(index: Int, name: String, kind: String)]] = [:]
    /// One-word names (cities without prefix, bands, untitled works) that another type may share.
    private var oneWord: [(index: Int, type: EntityType, name: String)] = []
    /// Family names; a pool about a third as large as the people, so families are shared.
    private let families: [String]

    init(config: WorldConfig, personCount: Int) {
        self.config = config
        var drawer = NameDrawer(random: RandomStream(seed: config.seed, purpose: "world.families"))
        var seen = Set<String>()
        var families: [String] = []
        while families.count < max(4, personCount / 3) {
            let word = drawer.word(syllables: families.count < 2000 ? 2...3 : 3...4)
            if seen.insert(word).inserted { families.append(word) }
        }
        self.families = families
    }

    /// A new name for entity `index`, unique within `type`, the entity it was made to be
    /// confused with, if any, and the kind (a near-duplicate organisation keeps its twin's
    /// kind, because the name shows it: "… Society").
    mutating func draw(type: EntityType, kind: String, index: Int,
                       drawer: inout NameDrawer) -> (name: String, twin: Int?, kind: String) {
        var result: (name: String, twin: Int?, kind: String)? = nil
        if drawer.chance(config.nearDuplicateRate) { result = nearDuplicate(type: type, kind: kind, drawer: &drawer) }
        if result == nil, isOneWord(type: type, kind: kind), drawer.chance(config.sharedNameRate) {
            result = shared(type: type, drawer: &drawer).map { (name: $0.0, twin: $0.1, kind: kind) }
        }
        let chosen = result ?? (name: fresh(type: type, kind: kind, drawer: &drawer), twin: nil, kind: kind)
        taken[type, default: []].insert(chosen.name)
        drawn[type, default: []].append((index, chosen.name, chosen.kind))
        if isOneWord(type: type, kind: chosen.kind), !chosen.name.contains(" ") {
            oneWord.append((index, type, chosen.name))
        }
        return chosen
    }

    private func isOneWord(type: EntityType, kind: String) -> Bool {
        type == .city || type == .work || kind == "band"
    }

    /// A name one vowel away from an earlier name of the same type (for people, the given
    /// name changes and the family stays).
    private mutating func nearDuplicate(type: EntityType, kind: String,
                                        drawer: inout NameDrawer) -> (name: String, twin: Int?, kind: String)? {
        guard let earlier = drawn[type], !earlier.isEmpty else { return nil }
        let twin = earlier[drawer.random.nextIndex(below: earlier.count)]
        let candidate: String?
        if type == .person {
            let parts = twin.name.split(separator: " ", maxSplits: 1)
            candidate = drawer.nearDuplicate(of: String(parts[0])).map { "\($0) \(parts[1])" }
        } else {
            candidate = drawer.nearDuplicate(of: twin.name)
        }
        guard let candidate, !(taken[type]?.contains(candidate) ?? false) else { return nil }
        return (candidate, twin.index, type == .organisation ? twin.kind : kind)
    }

    /// The one-word name of an earlier entity of another type.
    private mutating func shared(type: EntityType, drawer: inout NameDrawer) -> (String, Int?)? {
        guard !oneWord.isEmpty else { return nil }
        let other = oneWord[drawer.random.nextIndex(below: oneWord.count)]
        guard other.type != type, !(taken[type]?.contains(other.name) ?? false) else { return nil }
        return (other.name, other.index)
    }

    /// A fresh name; after many collisions longer words make room in huge worlds.
    private mutating func fresh(type: EntityType, kind: String, drawer: inout NameDrawer) -> String {
        for attempt in 0..<1000 {
            let long = attempt >= 20
            let name = compose(type: type, kind: kind, long: long, drawer: &drawer)
            if !(taken[type]?.contains(name) ?? false) { return name }
        }
        preconditionFailure("could not find a fresh \(type) name")
    }

    private func compose(type: EntityType, kind: String, long: Bool, drawer: inout NameDrawer) -> String {
        let word = drawer.word(syllables: long ? 3...5 : 2...3)
        switch type {
        case .person:
            let given = drawer.word(syllables: long ? 2...3 : 2...2)
            return "\(given) \(drawer.pick(families))"
        case .city:
            return drawer.chance(0.12) ? "\(drawer.pick(NameSyllables.cityPrefixes)) \(word)" : word
        case .country:
            return word + drawer.pick(NameSyllables.countrySuffixes)
        case .organisation:
            switch kind {
            case "band": return word
            case "company": return "\(word) Company"
            case "university": return "University of \(word)"
            default: return "\(word) Society"
            }
        case .work:
            return drawer.pick(NameSyllables.workPatterns).replacingOccurrences(of: "#", with: word)
        }
    }
}
