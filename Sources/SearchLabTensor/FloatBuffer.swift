// An owned, fixed-size Float allocation: what parameters, gradients, optimiser moments
// and activations live in. Kernels take its raw pointer, so hot loops never touch
// Swift arrays' copy-on-write machinery.

/// A heap buffer of `count` Floats, zero-initialised, freed with the object.
///
/// Not thread-safe: one owner mutates it at a time (kernels split work over disjoint
/// index ranges of one buffer).
public final class FloatBuffer: @unchecked Sendable {
    /// Number of Floats.
    public let count: Int
    /// The first Float; valid for the lifetime of the buffer.
    public let pointer: UnsafeMutablePointer<Float>

    /// A zero-filled buffer of `count` Floats.
    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    /// Sets every value to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Sets the first `prefix` values to zero (the part of a reused buffer a pass uses).
    public func zero(prefix: Int) {
        precondition(prefix <= count, "zeroing \(prefix) of \(count) values")
        pointer.update(repeating: 0, count: prefix)
    }

    /// Copies all values from `other`, which must have the same count.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffer sizes differ: \(other.count) vs \(count)")
        pointer.update(from: other.pointer, count: count)
    }

    /// A copy of the values as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// A copy of `range` as an array.
    public func slice(_ range: Range<Int>) -> [Float] {
        Array(UnsafeBufferPointer(start: pointer + range.lowerBound, count: range.count))
    }

    /// The values as a buffer pointer, for byte-level I/O and hashing.
    public var bufferPointer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
}
