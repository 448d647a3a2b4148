// Reading fixtures/golden/rl_algorithms.json (written by scripts/reference/rl_reference.py) and
// comparing with a stated tolerance.
import Foundation
import SearchLabTestSupport
import Testing

/// The tolerance every golden comparison uses: absolute for |x| ≤ 1, relative above
/// (the reference writes 12 significant digits).
let goldenTolerance = 1e-5

/// The largest scaled difference |a − e| / max(1, |e|) over the arrays.
func maxScaledDifference(_ actual: [Double], _ expected: [Double]) -> Double {
    precondition(actual.count == expected.count, "length \(actual.count) vs \(expected.count)")
    return zip(actual, expected).map { Swift.abs($0 - $1) / max(1, Swift.abs($1)) }.max() ?? 0
}

/// Expects `actual` to match `expected` within ``goldenTolerance`` and returns the max difference.
@discardableResult
func expectGolden(_ actual: [Double], _ expected: [Double], _ label: String,
                  sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    #expect(actual.count == expected.count, "\(label): length", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return .infinity }
    let diff = maxScaledDifference(actual, expected)
    #expect(diff <= goldenTolerance, "\(label): max diff \(diff)", sourceLocation: sourceLocation)
    return diff
}

@discardableResult
func expectGolden(_ actual: Double, _ expected: Double, _ label: String,
                  sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    expectGolden([actual], [expected], label, sourceLocation: sourceLocation)
}

/// Prints one line per golden group so a run shows how close the match is.
func report(_ group: String, cases: Int, maxDiff: Double) {
    print("golden \(group): \(cases) cases, max diff \(maxDiff)")
}

struct Golden: Decodable {
    struct AdvantageCase: Decodable {
        let name, estimator: String
        let rows, length: Int
        let gamma, lam: Double
        let norm_adv_by_std_in_grpo: Bool
        let token_rewards, values, response_mask, advantages, returns: [Double]
        let group_ids: [String]
    }

    struct KLCase: Decodable {
        let estimator: String
        let logp, ref_logp, values: [Double]
    }

    struct KLRewardCase: Decodable {
        let estimator: String
        let beta, mean_kl: Double
        let rows, length: Int
        let scores, old_logp, ref_logp, mask, rewards: [Double]
    }

    struct ControllerCase: Decodable {
        let kind: String
        let kl_coef, target_kl, horizon: Double
        let updates: [[Double]]
        let coefficients: [Double]
    }

    struct PolicyCase: Decodable {
        struct Expected: Decodable {
            let loss, pg_loss, pg_clipfrac, pg_clipfrac_lower, ppo_kl, entropy_loss, kl_loss: Double
        }
        let name: String
        let rows, length: Int
        let logp, old_logp, advantages, mask, ref_logp: [Double]
        let entropy: [Double]?
        let clip_ratio_low, clip_ratio_high, entropy_coeff, kl_loss_coef: Double
        let clip_ratio_c, loss_scale_factor: Double?
        let kl_loss_type, loss_agg_mode: String
        let expected: Expected
    }

    struct ValueCase: Decodable {
        struct Expected: Decodable { let loss, vf_clipfrac: Double }
        let name: String
        let rows, length: Int
        let values, old_values, returns, mask: [Double]
        let cliprange_value: Double
        let loss_agg_mode: String
        let expected: Expected
    }

    struct Metrics: Decodable {
        struct ExplainedVariance: Decodable { let returns, values, mask: [Double]; let expected: Double }
        struct AllEqual: Decodable { let scores: [Double]; let group_ids: [String]; let expected: Double }
        struct StateTokens: Decodable { let loss_mask, response_mask: [Double]; let total, coverage: Double }
        let explained_variance: ExplainedVariance
        let all_equal_groups: AllEqual
        let state_tokens: StateTokens
    }

    struct ScheduleCase: Decodable {
        let style: String
        let warmup_steps, total_steps: Int
        let min_lr_ratio: Double
        let multipliers: [Double]
    }

    let tolerance: Double
    let lr_schedules: [ScheduleCase]
    let advantages: [AdvantageCase]
    let kl_estimators: [KLCase]
    let kl_in_reward: [KLRewardCase]
    let kl_controllers: [ControllerCase]
    let policy_loss: [PolicyCase]
    let value_loss: [ValueCase]
    let metrics: Metrics

    static func load() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.url("golden/rl_algorithms.json")))
    }
}
