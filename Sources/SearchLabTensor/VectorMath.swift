// exp eight lanes at a time, for the softmaxes (GELU has its own C kernel, which uses the same
// polynomial); it vectorises and stays within a few float ulps of libm.
// Lanes are independent, so a value's result never depends on its neighbours or on where
// a chunk starts: outputs stay bit-identical however a batch is laid out.

extension Tensor {
    typealias Lanes = SIMD8<Float>

    /// e^x for each lane, relative error below 2e-7 on the float range (underflows to 0,
    /// saturates at e^88.37, the largest power below 2^128).
    @inline(__always)
    static func exp(_ x: Lanes) -> Lanes {
        // (Comparisons and `replacing`, not `clamped`: the generic clamp is not inlined.)
        let low = Lanes(repeating: -87.3), high = Lanes(repeating: 88.37)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // n = round(x / ln 2) by the 1.5·2^23 trick; r = x − n·ln 2 in two parts (Cody–Waite).
        let magic = Lanes(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6
        // Taylor series of e^r to r^7 on |r| ≤ ln2/2: truncation error < 5e-9.
        var p = Lanes(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2^n: n sits in the low mantissa bits of `shifted`; move it into the exponent field.
        let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: Lanes.self)
        return p * scale
    }

    /// Loads `n` ≤ 8 floats from `p`, zero-padded.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
        if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
        var v = Lanes.zero
        for i in 0..<n { v[i] = p[i] }
        return v
    }

    /// Stores the first `n` ≤ 8 lanes of `v` to `p`.
    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self); return }
        for i in 0..<n { p[i] = v[i] }
    }

    /// Replaces `count` floats at `p` by e^(p[i] − shift) and returns their sum, eight lanes
    /// at a time (the shared step of every softmax here).
    @inline(__always)
    static func exponentiate(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        var sums = Lanes.zero
        var j = 0
        while j + 8 <= count {
            let e = exp(load(p + j, 8) - shift)
            store(e, p + j, 8)
            sums += e
            j += 8
        }
        var sum = sums.sum()
        if j < count {
            let n = count - j
            var e = exp(load(p + j, n) - shift)
            for lane in n..<8 { e[lane] = 0 }
            store(e, p + j, n)
            sum += e.sum()
        }
        return sum
    }

    /// The largest of `count` ≥ 1 floats at `p` (exact, so the order of comparison is free).
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var best = Lanes(repeating: -.infinity)
        var j = 0
        while j + 8 <= count {
            let x = load(p + j, 8)
            best = best.replacing(with: x, where: x .> best)
            j += 8
        }
        var result = best.max()
        while j < count {
            result = max(result, p[j])
            j += 1
        }
        return result
    }

    /// Multiplies `count` floats at `p` by `factor`, eight lanes at a time.
    @inline(__always)
    static func scale(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        var j = 0
        while j + 8 <= count {
            store(load(p + j, 8) * factor, p + j, 8)
            j += 8
        }
        while j < count {
            p[j] *= factor
            j += 1
        }
    }
}
