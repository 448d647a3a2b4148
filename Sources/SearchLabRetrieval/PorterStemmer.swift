// The Porter stemmer (M.F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980),
// written from the published description, with the two departures of Porter's own reference
// implementation (the one Lucene's PorterStemFilter follows and the standard voc.txt /
// output.txt pairs were produced with): step 2 maps "bli"→"ble" (instead of "abli"→"able")
// and adds "logi"→"log"; words of one or two letters are left alone.

/// Porter's suffix-stripping stemmer for lowercase English words.
///
/// Letters are compared as code points; anything that is not `a e i o u` (or `y` after a
/// consonant) counts as a consonant, so digits and non-ASCII letters pass through unharmed.
public enum PorterStemmer {
    /// The stem of a lowercase word.
    public static func stem(_ word: String) -> String {
        var w = Word(Array(word.unicodeScalars.map(\.value)))
        guard w.b.count > 2 else { return word }
        w.step1ab(); w.step1c(); w.step2(); w.step3(); w.step4(); w.step5()
        return String(String.UnicodeScalarView(w.b[0...w.k].compactMap(Unicode.Scalar.init)))
    }
}

/// The word being stemmed: `b[0...k]` is the current word, `j` marks the end of the stem
/// left when the suffix matched by the last successful ``ends(_:)`` is removed.
private struct Word {
    var b: [UInt32]
    var k: Int
    var j = 0

    init(_ b: [UInt32]) {
        self.b = b
        self.k = b.count - 1
    }

    private static func code(_ c: Character) -> UInt32 { c.unicodeScalars.first!.value }

    func isConsonant(_ i: Int) -> Bool {
        switch b[i] {
        case 0x61, 0x65, 0x69, 0x6F, 0x75: return false          // a e i o u
        case 0x79: return i == 0 ? true : !isConsonant(i - 1)    // y
        default: return true
        }
    }

    /// m: the number of vowel-consonant sequences in `b[0...j]` ([C](VC)^m[V]).
    func measure() -> Int {
        var n = 0, i = 0
        while true { if i > j { return n }; if !isConsonant(i) { break }; i += 1 }
        i += 1
        while true {
            while true { if i > j { return n }; if isConsonant(i) { break }; i += 1 }
            i += 1; n += 1
            while true { if i > j { return n }; if !isConsonant(i) { break }; i += 1 }
            i += 1
        }
    }

    /// *v*: the stem `b[0...j]` contains a vowel.
    func vowelInStem() -> Bool { j >= 0 && (0...j).contains { !isConsonant($0) } }

    /// *d: `b[i-1...i]` is a double consonant.
    func doubleConsonant(_ i: Int) -> Bool { i >= 1 && b[i] == b[i - 1] && isConsonant(i) }

    /// *o: `b[i-2...i]` is consonant-vowel-consonant and the last is not w, x or y.
    func cvc(_ i: Int) -> Bool {
        guard i >= 2, isConsonant(i), !isConsonant(i - 1), isConsonant(i - 2) else { return false }
        return b[i] != 0x77 && b[i] != 0x78 && b[i] != 0x79
    }

    /// Whether the word ends with `suffix`; on success `j` is set before the suffix.
    mutating func ends(_ suffix: String) -> Bool {
        let s = suffix.unicodeScalars.map(\.value)
        guard s.count <= k + 1 else { return false }
        let start = k - s.count + 1
        for (offset, c) in s.enumerated() where b[start + offset] != c { return false }
        j = k - s.count
        return true
    }

    /// Replaces `b[j+1...k]` with `s`.
    mutating func setTo(_ s: String) {
        let replacement = s.unicodeScalars.map(\.value)
        b.replaceSubrange((j + 1)..<(k + 1), with: replacement)
        k = j + replacement.count
    }

    /// `setTo(s)` when m > 0.
    mutating func replaceIfMeasured(_ s: String) { if measure() > 0 { setTo(s) } }

    /// Tries `(suffix, replacement)` pairs in order; the first suffix that matches ends the
    /// search whether or not its condition (m > 0) held, as in the published rule lists.
    mutating func firstRule(_ rules: [(String, String)]) {
        for (suffix, replacement) in rules where ends(suffix) {
            replaceIfMeasured(replacement)
            return
        }
    }

    /// Plurals and -ed / -ing.
    mutating func step1ab() {
        if b[k] == Word.code("s") {
            if ends("sses") { k -= 2 }
            else if ends("ies") { setTo("i") }
            else if b[k - 1] != Word.code("s") { k -= 1 }
        }
        if ends("eed") {
            if measure() > 0 { k -= 1 }
        } else if (ends("ed") || ends("ing")) && vowelInStem() {
            k = j
            if ends("at") { setTo("ate") }
            else if ends("bl") { setTo("ble") }
            else if ends("iz") { setTo("ize") }
            else if doubleConsonant(k) {
                k -= 1
                let c = b[k]
                if c == Word.code("l") || c == Word.code("s") || c == Word.code("z") { k += 1 }
            } else if measure() == 1 && cvc(k) {
                setTo("e")
            }
        }
    }

    /// Terminal y → i when there is another vowel in the stem.
    mutating func step1c() {
        if ends("y") && vowelInStem() { b[k] = Word.code("i") }
    }

    /// Double suffixes → single ones (m > 0).
    mutating func step2() {
        guard k >= 1 else { return }
        switch b[k - 1] {
        case Word.code("a"): firstRule([("ational", "ate"), ("tional", "tion")])
        case Word.code("c"): firstRule([("enci", "ence"), ("anci", "ance")])
        case Word.code("e"): firstRule([("izer", "ize")])
        case Word.code("l"): firstRule([("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")])
        case Word.code("o"): firstRule([("ization", "ize"), ("ation", "ate"), ("ator", "ate")])
        case Word.code("s"): firstRule([("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")])
        case Word.code("t"): firstRule([("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")])
        case Word.code("g"): firstRule([("logi", "log")])
        default: break
        }
    }

    /// -ic-, -full, -ness etc. (m > 0).
    mutating func step3() {
        switch b[k] {
        case Word.code("e"): firstRule([("icate", "ic"), ("ative", ""), ("alize", "al")])
        case Word.code("i"): firstRule([("iciti", "ic")])
        case Word.code("l"): firstRule([("ical", "ic"), ("ful", "")])
        case Word.code("s"): firstRule([("ness", "")])
        default: break
        }
    }

    /// Strips -ant, -ence etc. when m > 1.
    mutating func step4() {
        guard k >= 1 else { return }
        let matched: Bool
        switch b[k - 1] {
        case Word.code("a"): matched = ends("al")
        case Word.code("c"): matched = ends("ance") || ends("ence")
        case Word.code("e"): matched = ends("er")
        case Word.code("i"): matched = ends("ic")
        case Word.code("l"): matched = ends("able") || ends("ible")
        case Word.code("n"): matched = ends("ant") || ends("ement") || ends("ment") || ends("ent")
        case Word.code("o"):
            // -ion is removed only after s or t.
            matched = (ends("ion") && j >= 0 && (b[j] == Word.code("s") || b[j] == Word.code("t"))) || ends("ou")
        case Word.code("s"): matched = ends("ism")
        case Word.code("t"): matched = ends("ate") || ends("iti")
        case Word.code("u"): matched = ends("ous")
        case Word.code("v"): matched = ends("ive")
        case Word.code("z"): matched = ends("ize")
        default: matched = false
        }
        if matched && measure() > 1 { k = j }
    }

    /// Final -e and -ll.
    mutating func step5() {
        j = k
        if b[k] == Word.code("e") {
            let m = measure()
            if m > 1 || (m == 1 && !cvc(k - 1)) { k -= 1 }
        }
        if b[k] == Word.code("l") && doubleConsonant(k) && measure() > 1 { k -= 1 }
    }
}
