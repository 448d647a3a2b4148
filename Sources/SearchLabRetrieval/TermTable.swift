// A byte-string → dense id hash table for the index build's hot loop. Swift's `String`
// hashing (SipHash, per token) dominated building; tokens are short byte runs, so FNV-1a
// over the bytes and open addressing with linear probing do the same job far cheaper.
import Foundation

/// Interns byte strings: the first occurrence gets the next id (0, 1, 2, …).
struct TermTable {
    private var bytes: [UInt8] = []
    /// `starts[id] ..< starts[id + 1]` are the bytes of `id`.
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// 0 = empty, otherwise id + 1.
    private var slots: [UInt32]
    private var mask: Int

    init(capacity: Int = 1 << 14) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    /// The id of `token`, interning it if new.
    mutating func intern(_ token: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        let hash = TermTable.fnv1a(token)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let id = Int(slots[slot] - 1)
            if hashes[id] == hash, equals(id, token) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = hashes.count
        hashes.append(hash)
        bytes.append(contentsOf: token)
        starts.append(bytes.count)
        slots[slot] = UInt32(id + 1)
        if hashes.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// The text of `id`.
    func string(_ id: Int) -> String {
        String(decoding: bytes[starts[id]..<starts[id + 1]], as: UTF8.self)
    }

    private func equals(_ id: Int, _ token: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id], length = starts[id + 1] - start
        guard length == token.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            memcmp(all.baseAddress! + start, token.baseAddress!, length) == 0
        }
    }

    private mutating func grow() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(id + 1)
        }
    }

    @inline(__always)
    static func fnv1a(_ token: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in token { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // Fold the high bits in: the slot index uses the low ones.
        return h ^ (h >> 29)
    }
}
