// Small rules the rollout loop applies before the estimators and losses: which tokens the
// loss sees, which rows form a group, and how micro-batch losses add up.

/// Search-R1's mask and group conventions.
public enum BatchPreparation {
    /// The actor's loss mask: with state masking (Search-R1's `_create_loss_mask`), the response
    /// tokens minus the information tokens; without it, every response token.
    /// - Parameters:
    ///   - responseMask: 1 on every response token, information included, 0 on padding.
    ///   - infoMask: 1 on tokens the model wrote, 0 on information (observation) tokens and padding.
    public static func lossMask(responseMask: [Double], infoMask: [Double], stateMasking: Bool) -> [Double] {
        precondition(responseMask.count == infoMask.count, "masks differ in length")
        guard stateMasking else { return responseMask }
        return zip(responseMask, infoMask).map { $0 * $1 }
    }

    /// The GRPO group key of a trajectory.
    ///
    /// SearchLab groups by the question's unique id. Upstream keys groups by `extra_info.index`,
    /// the row index within each data source's file, so questions from different sources that
    /// share an index fall into one group; `uidPerSourceIndex` (config
    /// `compat.uid_per_source_index`) reproduces that.
    public static func groupID(questionID: String, sourceIndex: Int, uidPerSourceIndex: Bool) -> String {
        uidPerSourceIndex ? String(sourceIndex) : questionID
    }
}

extension PolicyLossResult {
    /// The loss and gradients times `factor` (metrics unchanged): the update divides each
    /// micro-batch's by the number of micro-batches in its mini-batch.
    public func scaled(by factor: Double) -> PolicyLossResult {
        PolicyLossResult(loss: loss * factor, logProbGradient: logProbGradient.map { $0 * factor },
                         entropyGradient: entropyGradient.map { $0 * factor }, metrics: metrics)
    }
}

extension ValueLossResult {
    /// The loss and gradient times `factor` (clip fraction unchanged).
    public func scaled(by factor: Double) -> ValueLossResult {
        ValueLossResult(loss: loss * factor, valueGradient: valueGradient.map { $0 * factor }, clipFraction: clipFraction)
    }
}
