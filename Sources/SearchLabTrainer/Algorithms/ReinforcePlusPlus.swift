// REINFORCE++ (Hu 2025, arXiv 2501.03262), as verl's
// `compute_reinforce_plus_plus_outcome_advantage` computes it.

/// Discounted token returns G_t = r_t + γ·G_{t+1}, restarted wherever the mask is 0, then
/// whitened over the batch and multiplied by the mask.
///
/// The restart follows verl: the return at a mask-0 position is still written, then the
/// running sum is cleared, so on right-padded rows padding never feeds the real tokens.
/// (With a mask that is 0 inside a response, earlier tokens would not see later rewards,
/// which is why Search-R1 passes the response attention mask, information tokens included.)
public struct ReinforcePlusPlus: AdvantageEstimator {
    public var gamma: Double

    public init(gamma: Double) { self.gamma = gamma }

    public func estimate(_ batch: AdvantageBatch) throws -> Advantages {
        var returns = [Double](repeating: 0, count: batch.shape.count)
        for i in 0..<batch.shape.rows {
            var running = 0.0
            for k in batch.shape.row(i).reversed() {
                running = batch.tokenRewards[k] + gamma * running
                returns[k] = running
                running *= batch.responseMask[k]
            }
        }
        let advantages = zip(Masked.whiten(returns, batch.responseMask), batch.responseMask).map { $0 * $1 }
        return Advantages(advantages: advantages, returns: returns)
    }
}
