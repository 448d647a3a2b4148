// Masked reductions (verl's `masked_mean` / `masked_var` / `masked_whiten`, as Search-R1's fork
// defines them: an exact division by the mask sum, Bessel-corrected variance, ε = 1e-8 under
// the square root).
import Foundation

/// Statistics over the positions where a 0/1 mask is 1.
public enum Masked {
    /// Σ x·m / Σ m; 0 when the mask is empty (verl divides by zero there).
    public static func mean(_ values: [Double], _ mask: [Double]) -> Double {
        precondition(values.count == mask.count, "values and mask differ in length")
        var sum = 0.0, weight = 0.0
        for k in values.indices {
            sum += values[k] * mask[k]
            weight += mask[k]
        }
        return weight == 0 ? 0 : sum / weight
    }

    /// Masked variance around the masked mean; `unbiased` multiplies by n/(n−1).
    ///
    /// With fewer than two masked positions the unbiased variance is undefined (verl raises);
    /// we return 0 so that whitening a single token yields 0 instead of NaN.
    public static func variance(_ values: [Double], _ mask: [Double], unbiased: Bool = true) -> Double {
        let mu = mean(values, mask)
        let centredSquares = values.map { ($0 - mu) * ($0 - mu) }
        let biased = mean(centredSquares, mask)
        guard unbiased else { return biased }
        let n = mask.reduce(0, +)
        return n < 2 ? 0 : biased * n / (n - 1)
    }

    /// (x − mean) / sqrt(var_unbiased + 1e-8) at EVERY position (verl does not zero mask-0
    /// positions here; callers that need it multiply by the mask afterwards).
    public static func whiten(_ values: [Double], _ mask: [Double], shiftMean: Bool = true) -> [Double] {
        let mu = mean(values, mask)
        let scale = 1 / (variance(values, mask) + 1e-8).squareRoot()
        return values.map { x in
            let w = (x - mu) * scale
            return shiftMean ? w : w + mu
        }
    }

    /// Σ x·m.
    public static func sum(_ values: [Double], _ mask: [Double]) -> Double {
        precondition(values.count == mask.count, "values and mask differ in length")
        var total = 0.0
        for k in values.indices { total += values[k] * mask[k] }
        return total
    }
}
