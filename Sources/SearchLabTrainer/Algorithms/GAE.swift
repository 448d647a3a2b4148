// Generalized Advantage Estimation (Schulman et al. 2016, arXiv 1506.02438), as verl's
// `compute_gae_advantage_return` computes it for PPO with a critic.
import SearchLabCore

/// GAE(γ, λ) with verl's masked skip, then masked whitening of the advantages.
///
/// Per row, backwards over t:
/// ```
/// δ_t = r_t + γ·V_next − V_t            V_next: value of the next mask-1 token (0 past the end)
/// A_t = δ_t + γλ·A_next                 A_next: advantage of the next mask-1 token
/// ```
/// Mask-0 positions are skipped: they neither update `V_next`/`A_next` nor change any other
/// position's advantage, and take the carried `A_next` as their own value. So rewards and
/// values at masked positions never leak into real tokens (verl's multi-turn property), and
/// on right-padded rows the result equals the plain recursion.
/// `returns = A + V` (before whitening), then `A = whiten(A, mask)` with the unbiased variance.
public struct GAE: AdvantageEstimator {
    public var gamma: Double
    public var lambda: Double

    public init(gamma: Double, lambda: Double) {
        self.gamma = gamma
        self.lambda = lambda
    }

    public func estimate(_ batch: AdvantageBatch) throws -> Advantages {
        guard batch.values.count == batch.shape.count else {
            throw SearchLabError("the gae estimator needs critic values for every token")
        }
        var raw = [Double](repeating: 0, count: batch.shape.count)
        for i in 0..<batch.shape.rows {
            recurse(row: batch.shape.row(i), batch, into: &raw)
        }
        let returns = zip(raw, batch.values).map { $0 + $1 }
        return Advantages(advantages: Masked.whiten(raw, batch.responseMask), returns: returns)
    }

    /// The backward recursion over one row's flat range.
    private func recurse(row: Range<Int>, _ batch: AdvantageBatch, into advantages: inout [Double]) {
        var nextValue = 0.0, nextAdvantage = 0.0
        for k in row.reversed() {
            let m = batch.responseMask[k]
            let delta = batch.tokenRewards[k] + gamma * nextValue - batch.values[k]
            let candidate = delta + gamma * lambda * nextAdvantage
            // The mask blends rather than branches, so fractional masks behave as in verl.
            nextValue = batch.values[k] * m + (1 - m) * nextValue
            nextAdvantage = candidate * m + (1 - m) * nextAdvantage
            advantages[k] = nextAdvantage
        }
    }
}
