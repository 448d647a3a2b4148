// Which texts the v3 rows leave out, and how a reader puts them back.
//
// Each text is stored once: the passages in `retrieved_document`, the turn's kept text in
// `turn.text`. A raw generation equal to the kept text, and an information block that is
// exactly what Search-R1 renders from the turn's documents, are stored as NULL and rebuilt.
// Both tests compare bytes, not `String ==` (which equates canonically equivalent Unicode,
// and would change the canonical JSON and so the digest).
import Foundation
import SearchLabCore

enum RowLayout {
    /// Whether the rows (with NULLs put back by ``observation(kind:text:documents:truncated:)``)
    /// give `trajectory` back exactly. When not, the store keeps the canonical JSON as well.
    /// `holdsNUL`: whether any of its strings holds a NUL (``TrajectoryJSONWriter/wroteNUL``).
    static func rebuildable(_ trajectory: Trajectory, holdsNUL: Bool) -> Bool {
        guard trajectory.schemaVersion == Trajectory.schemaVersion, !isNegativeZero(trajectory.outcome.reward) else { return false }
        var previous = Int.min
        for turn in trajectory.turns {
            // Rows come back in turn_index order.
            guard turn.index > previous else { return false }
            previous = turn.index
            for (position, document) in (turn.observation?.documents ?? []).enumerated() {
                // The `rank` column is the position shown; REAL columns lose the sign of zero.
                guard document.rank == position + 1, !isNegativeZero(document.score ?? 1) else { return false }
            }
        }
        // GRDB reads TEXT up to the first NUL; JSON keeps it escaped.
        return !holdsNUL
    }

    static func isNegativeZero(_ value: Double) -> Bool { value == 0 && value.sign == .minus }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.withUTF8 { x in b.withUTF8 { y in sameBytes(x, y) } }
    }

    static func sameBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        guard x.count == y.count else { return false }
        guard let p = x.baseAddress, let q = y.baseAddress else { return true }
        return memcmp(p, q, x.count) == 0
    }

    /// Whether `observation.text` is what ``observation(kind:text:documents:truncated:)``
    /// rebuilds from its kind and documents.
    static func isDerivable(_ observation: Observation) -> Bool {
        // The invalid-action feedback is short and rare, and stored so that readers of the
        // table need not know its wording.
        guard observation.kind == .information else { return false }
        var text = observation.text
        return informationBlockBytes(observation.documents).withUnsafeBufferPointer { block in
            text.withUTF8 { sameBytes(block, $0) }
        }
    }

    /// `SearchR1Format.informationBlock(documents)` as bytes, without its scalar-by-scalar
    /// strip in the common case: the formatted list starts with `Doc 1(`, so only its end
    /// can hold whitespace, and ASCII whitespace there is stripped here; anything else at
    /// the end (a non-ASCII scalar) takes the reference function.
    static func informationBlockBytes(_ documents: [RetrievedDocument]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + documents.reduce(0) { $0 + $1.title.utf8.count + $1.text.utf8.count + 16 })
        bytes.append(contentsOf: SearchR1Format.informationOpen.utf8)
        let start = bytes.count
        for (i, document) in documents.enumerated() {
            bytes.append(contentsOf: "Doc ".utf8)
            bytes.append(contentsOf: String(i + 1).utf8)
            bytes.append(contentsOf: "(Title: ".utf8)
            bytes.append(contentsOf: document.title.utf8)
            bytes.append(contentsOf: ") ".utf8)
            bytes.append(contentsOf: document.text.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        while bytes.count > start, let last = bytes.last {
            if last >= 0x80 { return Array(SearchR1Format.informationBlock(documents).utf8) }
            guard PythonText.isSpace(Unicode.Scalar(last)) else { break }
            bytes.removeLast()
        }
        bytes.append(contentsOf: SearchR1Format.informationClose.utf8)
        return bytes
    }

    /// The observation a `turn` row describes; `text` nil means derivable (an information
    /// block; the invalid-action feedback is always stored, but its fixed text is the only
    /// sensible reading of a NULL there).
    static func observation(kind: Observation.Kind, text: String?, documents: [RetrievedDocument], truncated: Bool) -> Observation {
        let text = text ?? {
            switch kind {
            case .invalidFeedback: return SearchR1Format.invalidActionFeedback
            case .information: return SearchR1Format.informationBlock(documents)
            }
        }()
        return Observation(kind: kind, text: text, documents: documents, truncated: truncated)
    }
}
