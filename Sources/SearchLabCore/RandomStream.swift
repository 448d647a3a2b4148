// Deterministic randomness. Every random choice in SearchLab draws from a
// `RandomStream` derived from an explicit seed and a purpose key, so a result never
// depends on batch composition, thread scheduling or iteration order.
import Foundation

/// A counter-based random stream: SplitMix64 over a 64-bit key.
///
/// Draw `n` of a stream is `mix(key + (n + 1) · γ)`, so a stream is one `UInt64` of
/// state (easy to checkpoint) and any position can be computed directly
/// (``value(at:)``). Independent streams are derived by hashing a purpose string and
/// indices into a new key (``derive(_:_:)``): `stream(seed, "sample", seq, t)` is the
/// same number whichever other sequences share the batch.
public struct RandomStream: RandomNumberGenerator, Hashable, Sendable, Codable {
    /// The key the stream was derived from.
    public let key: UInt64
    /// How many values have been drawn so far.
    public private(set) var position: UInt64

    @usableFromInline static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A stream keyed by `seed` and a purpose such as `"world.entities"`, refined by indices.
    public init(seed: UInt64, purpose: String, _ indices: UInt64...) {
        self.init(key: RandomStream.deriveKey(seed: seed, purpose: purpose, indices: indices))
    }

    /// A stream with an explicit key, positioned at `position`.
    public init(key: UInt64, position: UInt64 = 0) {
        self.key = key
        self.position = position
    }

    /// The SplitMix64 finaliser (Stafford variant 13).
    @inlinable public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Hash of `(seed, purpose, indices)` into a stream key. FNV-1a over the purpose's
    /// UTF-8 keeps the key independent of Swift's per-process seeded hashing.
    public static func deriveKey(seed: UInt64, purpose: String, indices: [UInt64]) -> UInt64 {
        var fnv: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in purpose.utf8 { fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var h = mix(seed ^ 0x5EA2_C41A_B000_0001)
        h = mix(h ^ fnv)
        for index in indices { h = mix(h &+ index &* gamma &+ 0x632B_E59B_D9B4_E019) }
        return h
    }

    /// A child stream for a sub-purpose, independent of how far this one has been drawn.
    public func derive(_ purpose: String, _ indices: UInt64...) -> RandomStream {
        RandomStream(key: RandomStream.deriveKey(seed: key, purpose: purpose, indices: indices))
    }

    /// The value drawn at `position` (0-based) without advancing.
    @inlinable public func value(at position: UInt64) -> UInt64 {
        RandomStream.mix(key &+ (position &+ 1) &* RandomStream.gamma)
    }

    public mutating func next() -> UInt64 {
        let v = value(at: position)
        position &+= 1
        return v
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A standard normal draw (Box–Muller, one value per two uniforms).
    public mutating func nextGaussian() -> Double {
        var u1 = nextUnitDouble()
        if u1 < 0x1p-60 { u1 = 0x1p-60 }
        let u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

