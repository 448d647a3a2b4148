// SearchLab's estimators, KL terms and losses against the independent numpy reference.
import SearchLabCore
import Testing
@testable import SearchLabTrainer

@Suite struct GoldenAlgorithmTests {
    let golden: Golden

    init() throws { golden = try Golden.load() }

    @Test func fileStatesTheToleranceWeUse() {
        #expect(golden.tolerance == goldenTolerance)
    }

    @Test func advantageEstimatorsMatchReference() throws {
        var worst = 0.0
        for c in golden.advantages {
            let kind = try AdvantageEstimatorKind.named(c.estimator)
            let parameters = AdvantageParameters(gamma: c.gamma, lambda: c.lam, normalizeByStd: c.norm_adv_by_std_in_grpo)
            let batch = AdvantageBatch(shape: TokenShape(rows: c.rows, length: c.length), tokenRewards: c.token_rewards,
                                       values: c.values, responseMask: c.response_mask, groupIDs: c.group_ids)
            let out = try kind.estimator(parameters).estimate(batch)
            worst = max(worst, expectGolden(out.advantages, c.advantages, "\(c.name) advantages"))
            worst = max(worst, expectGolden(out.returns, c.returns, "\(c.name) returns"))
        }
        #expect(Set(golden.advantages.map(\.estimator)) == Set(AdvantageEstimatorKind.names), "every estimator has a golden case")
        report("advantages", cases: golden.advantages.count, maxDiff: worst)
    }

    @Test func klEstimatorsMatchReference() throws {
        var worst = 0.0
        for c in golden.kl_estimators {
            let estimator = try KLEstimator.named(c.estimator)
            worst = max(worst, expectGolden(estimator.values(logProbs: c.logp, references: c.ref_logp), c.values, c.estimator))
        }
        #expect(Set(golden.kl_estimators.map(\.estimator)) == Set(KLEstimator.names))
        report("KL estimators", cases: golden.kl_estimators.count, maxDiff: worst)
    }

    @Test func klInRewardMatchesReference() throws {
        var worst = 0.0
        for c in golden.kl_in_reward {
            let out = KLRewardPenalty.apply(
                scores: c.scores, oldLogProbs: c.old_logp, referenceLogProbs: c.ref_logp, mask: c.mask,
                shape: TokenShape(rows: c.rows, length: c.length), estimator: try KLEstimator.named(c.estimator), beta: c.beta)
            worst = max(worst, expectGolden(out.rewards, c.rewards, "\(c.estimator) rewards"))
            worst = max(worst, expectGolden(out.meanKL, c.mean_kl, "\(c.estimator) mean KL"))
        }
        report("KL in reward", cases: golden.kl_in_reward.count, maxDiff: worst)
    }

    @Test func klControllersMatchReference() throws {
        for c in golden.kl_controllers {
            var controller = KLController(kind: try KLControllerKind.named(c.kind), coefficient: c.kl_coef,
                                          targetKL: c.target_kl, horizon: c.horizon)
            var seen: [Double] = []
            for update in c.updates {
                controller.update(currentKL: update[0], steps: Int(update[1]))
                seen.append(controller.coefficient)
            }
            expectGolden(seen, c.coefficients, "\(c.kind) controller")
        }
    }

    @Test func policyLossMatchesReference() throws {
        var worst = 0.0
        for c in golden.policy_loss {
            let shape = TokenShape(rows: c.rows, length: c.length)
            let batch = PolicyLossBatch(shape: shape, logProbs: c.logp, oldLogProbs: c.old_logp, advantages: c.advantages,
                                        lossMask: c.mask, entropy: c.entropy ?? [], referenceLogProbs: c.ref_logp)
            var p = PolicyLossParameters()
            p.clipRatioLow = c.clip_ratio_low
            p.clipRatioHigh = c.clip_ratio_high
            p.clipRatioC = c.clip_ratio_c
            p.entropyCoefficient = c.entropy_coeff
            p.klLossCoefficient = c.kl_loss_coef
            p.klLossType = try KLEstimator.named(c.kl_loss_type)
            p.aggregation = LossAggregation(try LossAggregationMode.named(c.loss_agg_mode), scaleFactor: c.loss_scale_factor)
            let out = PolicyLoss.compute(batch, p)
            let m = out.metrics, e = c.expected
            let actual = [out.loss, m.pgLoss, m.pgClipFraction, m.pgClipFractionLower, m.ppoKL, m.entropy, m.klLoss]
            let expected = [e.loss, e.pg_loss, e.pg_clipfrac, e.pg_clipfrac_lower, e.ppo_kl, e.entropy_loss, e.kl_loss]
            worst = max(worst, expectGolden(actual, expected, c.name))
        }
        #expect(Set(golden.policy_loss.map(\.loss_agg_mode)) == Set(LossAggregationMode.names), "every mode is covered")
        report("policy loss", cases: golden.policy_loss.count, maxDiff: worst)
    }

    @Test func valueLossMatchesReference() throws {
        var worst = 0.0
        for c in golden.value_loss {
            let out = ValueLoss.compute(predicted: c.values, old: c.old_values, returns: c.returns, mask: c.mask,
                                        shape: TokenShape(rows: c.rows, length: c.length), clipRange: c.cliprange_value,
                                        aggregation: LossAggregation(try LossAggregationMode.named(c.loss_agg_mode)))
            worst = max(worst, expectGolden([out.loss, out.clipFraction], [c.expected.loss, c.expected.vf_clipfrac], c.name))
        }
        report("value loss", cases: golden.value_loss.count, maxDiff: worst)
    }

    @Test func stepMetricsMatchReference() {
        let m = golden.metrics
        let ev = m.explained_variance
        expectGolden(StepMetrics.explainedVariance(returns: ev.returns, values: ev.values, mask: ev.mask), ev.expected,
                     "explained variance")
        expectGolden(StepMetrics.allEqualGroupFraction(scores: m.all_equal_groups.scores, groupIDs: m.all_equal_groups.group_ids),
                     m.all_equal_groups.expected, "all-equal groups")
        let state = StepMetrics.stateTokens(lossMask: m.state_tokens.loss_mask, responseMask: m.state_tokens.response_mask)
        expectGolden([state.total, state.coverage], [m.state_tokens.total, m.state_tokens.coverage], "state tokens")
    }

    @Test func learningRateSchedulesMatchReference() throws {
        for c in golden.lr_schedules {
            let schedule = LearningRateSchedule(style: try .named(c.style), warmupSteps: c.warmup_steps,
                                                totalSteps: c.total_steps, minLRRatio: c.min_lr_ratio)
            expectGolden((0...c.total_steps).map { schedule.multiplier(step: $0) }, c.multipliers,
                         "\(c.style) warm-up \(c.warmup_steps)")
        }
    }
}
