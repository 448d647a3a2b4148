// The β of KL-in-reward: fixed, or adapted towards a target KL (Ziegler et al. 2019,
// arXiv 1909.08593; verl `FixedKLController` / `AdaptiveKLController`).

/// Which controller sets β (`algorithm.kl_ctrl.type`).
public enum KLControllerKind: String, NamedChoice, Codable {
    case fixed
    case adaptive
    public static let choiceDescription = "KL controller"
}

/// The KL coefficient β and how it moves. A value type so a checkpoint can store it and a
/// resumed run continues with the same β.
public struct KLController: Hashable, Sendable, Codable {
    /// `algorithm.kl_ctrl.type`.
    public var kind: KLControllerKind
    /// β, the current coefficient (`algorithm.kl_ctrl.kl_coef` initially).
    public private(set) var coefficient: Double
    /// The KL the adaptive controller steers towards (`algorithm.kl_ctrl.target_kl`).
    public var targetKL: Double
    /// Steps over which a full proportional correction is spread (`algorithm.kl_ctrl.horizon`).
    public var horizon: Double

    public init(kind: KLControllerKind, coefficient: Double, targetKL: Double = 0.1, horizon: Double = 10_000) {
        precondition(kind == .fixed || (targetKL > 0 && horizon > 0), "adaptive KL needs target_kl > 0 and horizon > 0")
        self.kind = kind
        self.coefficient = coefficient
        self.targetKL = targetKL
        self.horizon = horizon
    }

    /// After a step: adaptive β *= 1 + clip(kl/target − 1, −0.2, 0.2)·nSteps/horizon; a fixed
    /// controller ignores the update.
    /// - Parameters:
    ///   - currentKL: the step's mean KL (``KLRewardPenalty/apply(scores:oldLogProbs:referenceLogProbs:mask:shape:estimator:beta:)``).
    ///   - steps: verl passes the batch size (number of rows) here.
    public mutating func update(currentKL: Double, steps: Int) {
        guard kind == .adaptive else { return }
        let error = min(max(currentKL / targetKL - 1, -0.2), 0.2)
        coefficient *= 1 + error * Double(steps) / horizon
    }
}
