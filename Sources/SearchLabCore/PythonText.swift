// Python `str` semantics that Search-R1's reward code relies on, reproduced at the
// Unicode-scalar level. Swift's `String` compares and searches by grapheme cluster
// with canonical equivalence; Python compares code points. Every helper here works
// on `Unicode.Scalar`s so that "é" and "e\u{301}" stay different, exactly as upstream.

/// Python 3 string primitives (`isspace`, `strip`, `split`, `lower`, `\w`, `in`).
public enum PythonText {
    /// Code points for which Python's `str.isspace()` is true (CPython's
    /// `_Py_ascii_whitespace` plus the Unicode table; identical since Python 3.3).
    static let whitespace: Set<UInt32> = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0,
        0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
        0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ]

    /// `ch.isspace()`.
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let v = scalar.value
            return v == 0x20 || (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x1F)
        }
        return whitespace.contains(scalar.value)
    }

    /// Whether `re` (str pattern, default flags) treats the scalar as a word character:
    /// `str.isalnum()` (letters Lu/Ll/Lt/Lm/Lo, or any numeric type) or `_`.
    /// Combining marks are *not* word characters in Python.
    public static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let v = scalar.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    /// `s.strip()` with no argument: removes leading and trailing `isspace` scalars.
    public static func strip(_ s: some StringProtocol) -> String {
        let scalars = Array(s.unicodeScalars)
        var lo = 0, hi = scalars.count
        while lo < hi, isSpace(scalars[lo]) { lo += 1 }
        while hi > lo, isSpace(scalars[hi - 1]) { hi -= 1 }
        return String(String.UnicodeScalarView(scalars[lo..<hi]))
    }

    /// `s.split()` with no argument: runs of whitespace separate, empty pieces dropped.
    public static func split(_ s: some StringProtocol) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if isSpace(scalar) {
                if !current.isEmpty { pieces.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return pieces
    }

    /// `s.lower()`: full Unicode lowercase mapping, including Python's context rule that
    /// turns a capital sigma at the end of a word into final sigma (U+03C2).
    public static func lower(_ s: some StringProtocol) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            if scalar.value == 0x03A3 {
                out.append(isFinalSigma(scalars, at: i) ? "\u{03C2}" : "\u{03C3}")
            } else if scalar.value < 0x80 {
                let v = scalar.value
                out.append((v >= 0x41 && v <= 0x5A) ? Unicode.Scalar(v + 32)! : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    /// CPython's `handle_capital_sigma`: final when a cased letter precedes (skipping
    /// case-ignorable scalars) and no cased letter follows (likewise).
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var j = index - 1
        while j >= 0, scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, scalars[j].properties.isCased else { return false }
        var k = index + 1
        while k < scalars.count, scalars[k].properties.isCaseIgnorable { k += 1 }
        return !(k < scalars.count && scalars[k].properties.isCased)
    }

    /// `needle in haystack` on code points (no canonical equivalence).
    public static func contains(_ haystack: some StringProtocol, _ needle: some StringProtocol) -> Bool {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        return UTF8Search.firstIndex(of: n, in: h, from: 0) != nil
    }

    /// `a == b` on code points (no canonical equivalence).
    public static func equal(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }
}

/// Byte-level substring search over UTF-8. UTF-8 is self-synchronising, so a match of a
/// valid UTF-8 needle always starts and ends on scalar boundaries: byte search gives
/// exactly Python's code-point `str.find`, only faster.
public enum UTF8Search {
    /// The first index `i >= from` where `needle` occurs in `haystack`.
    public static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        firstIndex(of: needle, in: haystack[...], from: from)
    }

    /// The first index `i >= from` where `needle` occurs in `haystack` (indices of the slice's base).
    public static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>, from: Int) -> Int? {
        guard !needle.isEmpty else { return from <= haystack.endIndex ? from : nil }
        let first = needle[0], n = needle.count
        var i = max(from, haystack.startIndex)
        let last = haystack.endIndex - n
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < n, haystack[i + k] == needle[k] { k += 1 }
                if k == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// Whether `haystack` has `needle` starting exactly at `at`.
    public static func hasPrefix(_ needle: [UInt8], in haystack: [UInt8], at: Int) -> Bool {
        guard at >= 0, at + needle.count <= haystack.count else { return false }
        for k in 0..<needle.count where haystack[at + k] != needle[k] { return false }
        return true
    }

    /// The text of `bytes[range]`; callers cut only at ASCII boundaries, so it is valid UTF-8.
    public static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
