// The advantage-estimator registry: one signature, one enum of names, one lookup.
import SearchLabCore

/// Everything an advantage estimator may read, for a batch of B sequences × L positions.
public struct AdvantageBatch: Sendable {
    /// B × L.
    public var shape: TokenShape
    /// `token_level_rewards` (B·L): the outcome score at the last response token, minus the
    /// per-token KL penalty when KL is in the reward.
    public var tokenRewards: [Double]
    /// Critic values V_t (B·L); only GAE reads them, empty otherwise.
    public var values: [Double]
    /// The response's attention mask (B·L): 1 on every response token, information tokens
    /// INCLUDED (Search-R1 computes advantages over them), 0 on padding.
    public var responseMask: [Double]
    /// One group id per row (the question's unique id); GRPO, RLOO and REINFORCE++-baseline
    /// compare rows that share an id.
    public var groupIDs: [String]

    public init(shape: TokenShape, tokenRewards: [Double], values: [Double] = [],
                responseMask: [Double], groupIDs: [String]) {
        shape.check(tokenRewards, "tokenRewards")
        shape.check(responseMask, "responseMask")
        precondition(values.isEmpty || values.count == shape.count, "values must be empty or B·L long")
        precondition(groupIDs.count == shape.rows, "groupIDs needs one id per row")
        self.shape = shape
        self.tokenRewards = tokenRewards
        self.values = values
        self.responseMask = responseMask
        self.groupIDs = groupIDs
    }
}

/// Per-token advantages and returns (B·L each), the output of every estimator.
public struct Advantages: Sendable, Equatable {
    /// A_{i,t}, what the policy loss multiplies the probability ratio by.
    public var advantages: [Double]
    /// The critic's regression targets (GAE: A + V before whitening); the other estimators
    /// return their advantages or discounted returns here, as verl does.
    public var returns: [Double]

    public init(advantages: [Double], returns: [Double]) {
        self.advantages = advantages
        self.returns = returns
    }
}

/// An advantage estimator: a pure function of the batch.
public protocol AdvantageEstimator: Sendable {
    /// - Throws: ``SearchLabError`` when the batch lacks what the estimator needs.
    func estimate(_ batch: AdvantageBatch) throws -> Advantages
}

/// The hyper-parameters the estimators read (`algorithm.*` in the config).
public struct AdvantageParameters: Hashable, Sendable {
    /// γ, the discount (`algorithm.gamma`).
    public var gamma: Double
    /// λ, the GAE trace decay (`algorithm.lam`).
    public var lambda: Double
    /// Divide GRPO advantages by the group std (`algorithm.norm_adv_by_std_in_grpo`);
    /// false gives the Dr.GRPO form.
    public var normalizeByStd: Bool
    /// ε added to the group std (verl: 1e-6).
    public var epsilon: Double

    public init(gamma: Double = 1, lambda: Double = 1, normalizeByStd: Bool = true, epsilon: Double = 1e-6) {
        self.gamma = gamma
        self.lambda = lambda
        self.normalizeByStd = normalizeByStd
        self.epsilon = epsilon
    }
}

/// The estimators SearchLab offers, by their verl names (`algorithm.adv_estimator`).
public enum AdvantageEstimatorKind: String, NamedChoice, Codable {
    case gae
    case grpo
    case rloo
    case reinforcePlusPlus = "reinforce_plus_plus"
    case reinforcePlusPlusBaseline = "reinforce_plus_plus_baseline"

    public static let choiceDescription = "advantage estimator"

    /// Whether the estimator reads critic values (only GAE trains a critic).
    public var needsCritic: Bool { self == .gae }

    /// Whether the estimator compares the rows of a group (so needs n_agent > 1 to be useful).
    public var usesGroups: Bool {
        switch self {
        case .grpo, .rloo, .reinforcePlusPlusBaseline: return true
        case .gae, .reinforcePlusPlus: return false
        }
    }

    /// The estimator, configured.
    public func estimator(_ parameters: AdvantageParameters) -> any AdvantageEstimator {
        switch self {
        case .gae: return GAE(gamma: parameters.gamma, lambda: parameters.lambda)
        case .grpo: return GRPO(normalizeByStd: parameters.normalizeByStd, epsilon: parameters.epsilon)
        case .rloo: return RLOO()
        case .reinforcePlusPlus: return ReinforcePlusPlus(gamma: parameters.gamma)
        case .reinforcePlusPlusBaseline: return ReinforcePlusPlusBaseline()
        }
    }
}
