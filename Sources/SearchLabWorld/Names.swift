// Invented names, composed from a fixed syllable inventory so that no answer can be known
// without searching, yet a tokenizer can split every name into a few known pieces.

import SearchLabCore

/// The syllables every invented name is made of, and the fixed words around them.
public enum NameSyllables {
    /// Name syllables. Each is consonant(s)+vowel(+consonant), so names read as words and
    /// a syllable-level tokenizer can segment them greedily.
    public static let inventory: [String] = [
        "ka", "lo", "mi", "ra", "ven", "dor", "sel", "tha", "bri", "nox", "qua", "zel",
        "mar", "tor", "li", "sa", "vin", "gal", "ru", "fen", "cor", "del", "ish", "ya",
        "vol", "tre", "pa", "ko", "ris", "ber", "dra", "sto", "wen", "hal", "mo", "ne",
        "tu", "vash", "kel", "bel", "gre", "shi", "lun", "mer", "ta", "fo", "zan", "pel",
        "sku", "thi", "ob", "ar", "en", "ul",
    ]

    /// A split of a lowercase invented word into inventory syllables and country suffixes
    /// (the first such split, preferring longer pieces), or `nil` if there is none.
    public static func segment(_ word: String) -> [String]? {
        let characters = Array(word)
        let pieces = (inventory + countrySuffixes).sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        var memo: [Int: [String]?] = [:]
        func split(_ start: Int) -> [String]? {
            if start == characters.count { return [] }
            if let known = memo[start] { return known }
            var found: [String]? = nil
            for piece in pieces where start + piece.count <= characters.count
                && String(characters[start..<(start + piece.count)]) == piece {
                if let rest = split(start + piece.count) { found = [piece] + rest; break }
            }
            memo[start] = found
            return found
        }
        return split(0)
    }

    /// Words that precede some city names ("Port Velmar").
    static let cityPrefixes = ["Port", "New", "Upper"]
    /// Suffixes that turn a word into a country name ("Velmaria").
    static let countrySuffixes = ["ia", "land", "mark"]
    /// Forms of a country's official name.
    static let countryForms = ["Kingdom", "Republic", "Federation"]
    /// Title patterns of works; `#` is the invented word.
    static let workPatterns = ["#", "The #", "Songs of #", "The Fall of #", "# at Night", "The Last #"]
    /// The English words that appear in names around the invented words.
    static let fixedWords: Set<String> = [
        "Port", "New", "Upper", "Company", "Society", "University", "of", "The", "Songs", "Fall", "at", "Night", "Last",
    ]
}

/// Draws invented words from a random stream.
struct NameDrawer {
    var random: RandomStream

    /// A capitalised word of `min...max` syllables.
    mutating func word(syllables range: ClosedRange<Int>) -> String {
        let count = range.lowerBound + random.nextIndex(below: range.count)
        var text = ""
        for _ in 0..<count { text += NameSyllables.inventory[random.nextIndex(below: NameSyllables.inventory.count)] }
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    mutating func pick<T>(_ items: [T]) -> T { items[random.nextIndex(below: items.count)] }

    mutating func chance(_ probability: Double) -> Bool { random.nextUnitDouble() < probability }

    /// `name` with the last syllable of its last invented word replaced, by one with the
    /// same first letter where possible ("Kelmar Society" → "Kelmer Society"): a
    /// near-duplicate still made of inventory syllables.
    mutating func nearDuplicate(of name: String) -> String? {
        var words = name.split(separator: " ").map(String.init)
        guard let at = words.lastIndex(where: { !NameSyllables.fixedWords.contains($0) }),
              let pieces = NameSyllables.segment(words[at].lowercased()), let last = pieces.last else { return nil }
        let pool = NameSyllables.countrySuffixes.contains(last) ? NameSyllables.countrySuffixes : NameSyllables.inventory
        let similar = pool.filter { $0 != last && $0.first == last.first }
        let replacement = pick(similar.isEmpty ? pool.filter { $0 != last } : similar)
        let word = pieces.dropLast().joined() + replacement
        words[at] = word.prefix(1).uppercased() + word.dropFirst()
        return words.joined(separator: " ")
    }
}
