// A hand-written canonical JSON encoder for the trajectory model: the same bytes as
// `CanonicalJSON.encode` (Foundation's JSONEncoder with sorted keys), written straight into
// one byte buffer. Import spends most of its time encoding trajectories; Foundation's encoder
// builds and sorts a dictionary per object, this writes the keys in their sorted order.
// `TrajectoryJSONWriterTests` proves byte identity on many generated trajectories.
import SearchLabCore

/// Canonical JSON of trajectories and their parts, byte-identical to ``CanonicalJSON``.
public struct TrajectoryJSONWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether some string held a NUL character (written escaped, `\u0000`).
    public private(set) var wroteNUL = false

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// A non-finite number, which canonical JSON refuses (as `CanonicalJSON` does).
    public struct NonFiniteNumber: Error, CustomStringConvertible {
        public var description: String { "a trajectory holds a non-finite number (NaN or infinity), which JSON cannot store" }
    }

    // MARK: - The model, keys in sorted order

    public mutating func write(_ t: Trajectory) throws {
        open()
        key("malformations", first: true); write(t.malformations)
        key("outcome"); try write(t.outcome)
        key("prompt"); string(t.prompt)
        if let provenance = t.provenance { key("provenance"); try write(provenance) }
        key("question"); write(t.question)
        key("schema_version"); integer(t.schemaVersion)
        key("trailing"); string(t.trailing)
        key("turns"); bytes.append(UInt8(ascii: "["))
        for (i, turn) in t.turns.enumerated() {
            if i > 0 { comma() }
            try write(turn)
        }
        bytes.append(UInt8(ascii: "]"))
        close()
    }

    public mutating func write(_ q: Question) {
        open()
        key("data_source", first: true); string(q.dataSource)
        key("golden_answers"); write(q.goldenAnswers)
        key("group_id"); string(q.groupID)
        key("id"); string(q.id)
        key("sample_index"); integer(q.sampleIndex)
        key("text"); string(q.text)
        close()
    }

    public mutating func write(_ o: Outcome) throws {
        open()
        key("exact_match", first: true); boolean(o.exactMatch)
        if let answer = o.extractedAnswer { key("extracted_answer"); string(answer) }
        key("format_valid"); boolean(o.formatValid)
        key("retrieval_hit"); boolean(o.retrievalHit)
        key("reward"); try number(o.reward)
        key("search_count"); integer(o.searchCount)
        key("status"); string(o.status.rawValue)
        key("valid_action_count"); integer(o.validActionCount)
        close()
    }

    public mutating func write(_ p: Provenance) throws {
        open()
        // Optional keys are omitted, so the first key present takes no comma.
        var first = true
        if let digest = p.checkpointDigest { key("checkpoint_digest", first: first); first = false; string(digest) }
        if let fingerprint = p.engineFingerprint { key("engine_fingerprint", first: first); first = false; string(fingerprint) }
        if let s = p.sampling {
            key("sampling", first: first); first = false
            open()
            key("context_limit", first: true); integer(s.contextLimit)
            key("max_observation_tokens"); integer(s.maxObservationTokens)
            key("max_tokens_per_turn"); integer(s.maxTokensPerTurn)
            key("max_turns"); integer(s.maxTurns)
            key("temperature"); try number(s.temperature)
            key("top_p"); try number(s.topP)
            close()
        }
        key("seed", first: first); unsigned(p.seed)
        if let step = p.step { key("step"); integer(step) }
        close()
    }

    mutating func write(_ turn: Turn) throws {
        open()
        key("action", first: true)
        open()
        if let content = turn.action.content {
            key("content", first: true); string(content)
            key("kind")
        } else {
            key("kind", first: true)
        }
        string(turn.action.kind.rawValue)
        close()
        key("index"); integer(turn.index)
        key("malformations"); write(turn.malformations)
        if let observation = turn.observation { key("observation"); try write(observation) }
        key("raw_generation"); string(turn.rawGeneration)
        key("text"); string(turn.text)
        if let tokens = turn.tokens {
            key("tokens")
            open()
            key("generated", first: true); integer(tokens.generated)
            key("kept"); integer(tokens.kept)
            key("observation"); integer(tokens.observation)
            close()
        }
        close()
    }

    mutating func write(_ observation: Observation) throws {
        open()
        key("documents", first: true); bytes.append(UInt8(ascii: "["))
        for (i, d) in observation.documents.enumerated() {
            if i > 0 { comma() }
            open()
            var first = true
            if let id = d.id { key("id", first: true); string(id); first = false }
            key("rank", first: first); integer(d.rank)
            if let score = d.score { key("score"); try number(score) }
            key("text"); string(d.text)
            key("title"); string(d.title)
            close()
        }
        bytes.append(UInt8(ascii: "]"))
        key("kind"); string(observation.kind.rawValue)
        key("text"); string(observation.text)
        key("truncated"); boolean(observation.truncated)
        close()
    }

    public mutating func write(_ malformations: [Malformation]) {
        bytes.append(UInt8(ascii: "["))
        for (i, m) in malformations.enumerated() {
            if i > 0 { comma() }
            open()
            key("detail", first: true); string(m.detail)
            key("kind"); string(m.kind.rawValue)
            close()
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func write(_ strings: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, s) in strings.enumerated() {
            if i > 0 { comma() }
            string(s)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    // MARK: - Scalars

    mutating func open() { bytes.append(UInt8(ascii: "{")) }
    mutating func close() { bytes.append(UInt8(ascii: "}")) }
    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    /// `"name":`, preceded by a comma unless it is the object's first key. Keys are ASCII
    /// identifiers that need no escaping.
    mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { comma() }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func boolean(_ value: Bool) {
        if value { bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
    }

    mutating func integer(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }
    mutating func unsigned(_ value: UInt64) { bytes.append(contentsOf: String(value).utf8) }

    /// Swift's shortest round-trip form, without a `.0` on integral values (Foundation's rule).
    mutating func number(_ value: Double) throws {
        guard value.isFinite else { throw NonFiniteNumber() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`,
    /// everything else (including `/` and non-ASCII) as its UTF-8 bytes.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            while start < utf8.count {
                let i = Self.nextEscape(in: utf8, from: start)
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                guard i < utf8.count else { break }
                escape(utf8[i])
                start = i + 1
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes the escape of a control character, `"` or `\`.
    mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: bytes.append(0x22)
        case 0x5C: bytes.append(0x5C)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            if byte == 0 { wroteNUL = true }
            bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
        }
    }

    /// The position of the first byte from `start` on that JSON escapes (below 0x20, `"` or
    /// `\`), or the count. Texts are mostly plain: eight bytes are tested at once, with the
    /// "has a byte less than n" and "has a zero byte" word tricks (exact about whether such
    /// a byte is in the word; bytes of 0x80 and above never match).
    static func nextEscape(in utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        if let base = utf8.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= utf8.count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let control = (word &- ones &* 0x20) & ~word
                let found = (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highs
                if found != 0 { break }
                i += 8
            }
        }
        while i < utf8.count {
            let byte = utf8[i]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return i }
            i += 1
        }
        return i
    }
}

extension TrajectoryJSONWriter {
    /// The canonical bytes of `trajectory`.
    public static func encode(_ trajectory: Trajectory) throws -> [UInt8] {
        var writer = TrajectoryJSONWriter()
        try writer.write(trajectory)
        return writer.bytes
    }

    /// Canonical text of a list of strings (golden answers).
    public static func string(_ strings: [String]) -> String {
        var writer = TrajectoryJSONWriter(capacity: 64)
        writer.write(strings)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Canonical text of a turn's malformations.
    public static func string(_ malformations: [Malformation]) -> String {
        var writer = TrajectoryJSONWriter(capacity: 64)
        writer.write(malformations)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Canonical text of a provenance.
    public static func string(_ provenance: Provenance) throws -> String {
        var writer = TrajectoryJSONWriter(capacity: 256)
        try writer.write(provenance)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
