// Student's t distribution, for the 95% confidence interval of a mean over a few seeds.
// With three seeds the normal 1.96 would understate the uncertainty by a factor of two
// (t₀.₉₇₅ with 2 degrees of freedom is 4.303), so the interval uses t.
import Foundation

/// The quantile function of Student's t distribution.
public enum StudentT {
    /// P(T ≤ t) for `degrees` of freedom, through the regularized incomplete beta function:
    /// P(T > |t|) = ½ I_{ν/(ν+t²)}(ν/2, ½).
    public static func cdf(_ t: Double, degrees: Double) -> Double {
        precondition(degrees > 0, "degrees of freedom must be positive")
        let tail = 0.5 * IncompleteBeta.regularized(x: degrees / (degrees + t * t), a: degrees / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The `p`-quantile (0 < p < 1), found by bisection on the monotone CDF to machine precision.
    public static func quantile(_ p: Double, degrees: Double) -> Double {
        precondition(p > 0 && p < 1, "p must be in (0, 1)")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, degrees: degrees) }
        var lo = 0.0, hi = 1.0
        while cdf(hi, degrees: degrees) < p { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if cdf(mid, degrees: degrees) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction
/// (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges faster.
enum IncompleteBeta {
    static func regularized(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logBeta + logPowers
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...10_000 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d; if abs(d) < tiny { d = tiny }
            c = 1 + even / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d; if abs(d) < tiny { d = tiny }
            c = 1 + odd / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return result
    }
}

/// The mean of a sample with its two-sided 95% confidence half-width
/// t₀.₉₇₅,ₙ₋₁ · s/√n (s the unbiased standard deviation); no half-width for one value.
public struct MeanInterval: Hashable, Sendable {
    public var mean: Double
    /// `nil` when n < 2.
    public var halfWidth: Double?
    public var count: Int

    /// `nil` for no values.
    public init?(_ values: [Double], confidence: Double = 0.95) {
        guard !values.isEmpty else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(count)
        guard count > 1 else { halfWidth = nil; return }
        let m = mean
        let variance = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(count - 1)
        let t = StudentT.quantile(1 - (1 - confidence) / 2, degrees: Double(count - 1))
        halfWidth = t * (variance / Double(count)).squareRoot()
    }

    /// `0.412 ± 0.031` (3 decimals), or just the mean when there is one value.
    public var text: String {
        let mean = String(format: "%.3f", self.mean)
        guard let halfWidth else { return mean }
        return mean + " ± " + String(format: "%.3f", halfWidth)
    }
}
