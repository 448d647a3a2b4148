// The training config: YAML in both spellings, overrides, errors that name the key, the
// shipped example files, the generated reference and the provenance dump.
import Foundation
import SearchLabCore
import SearchLabTestSupport
import Testing
@testable import SearchLabTrainer

@Suite struct ConfigTests {
    func resolve(_ yaml: String, overrides: [String] = []) throws -> ResolvedConfig {
        var config = ResolvedConfig()
        try ConfigLoader.apply(yaml: yaml, file: "test.yaml", to: &config)
        for o in overrides { try config.apply(override: o) }
        return config
    }

    func locatedError(_ yaml: String) -> String? {
        do {
            _ = try resolve(yaml)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsFormAValidConfig() throws {
        let config = try TrainingConfig(ResolvedConfig())
        #expect(config.estimator == .gae)
        #expect(config.actor.loss.clipRatioLow == 0.2 && config.actor.loss.clipRatioHigh == 0.2)
        #expect(config.actor.loss.clipRatioC == nil)
        #expect(config.actor.loss.klLossCoefficient == 0, "KL loss weight is 0 while use_kl_loss is off")
        #expect(config.actor.stateMasking)
        #expect(config.actor.loss.aggregation.scaleFactor == 512, "Dr.GRPO's divisor defaults to max_response_length")
    }

    @Test func nestedAndDottedSpellingsAgree() throws {
        let nested = try resolve("""
            algorithm:
              gamma: 0.9
              kl_ctrl:
                type: adaptive
            actor_rollout_ref:
              actor:
                optim:
                  lr: 3e-5
            """)
        let dotted = try resolve("""
            algorithm.gamma: 0.9
            algorithm:
              kl_ctrl.type: adaptive
            actor_rollout_ref.actor.optim.lr: 3.0e-5
            """)
        #expect(nested == dotted)
        #expect(nested[number: "actor_rollout_ref.actor.optim.lr"] == 3e-5)
        #expect(nested[string: "algorithm.kl_ctrl.type"] == "adaptive")
    }

    /// `do_search: false` (the no-search ablation) leaves only the final turn, which never searches.
    @Test func noSearchLeavesOnlyTheFinalTurn() throws {
        #expect(try TrainingConfig(resolve("max_turns: 3\n")).rollout.searchTurns == 3)
        #expect(try TrainingConfig(resolve("max_turns: 3\ndo_search: false\n")).rollout.searchTurns == 0)
    }

    @Test func integersWidenToNumbers() throws {
        #expect(try resolve("algorithm.gamma: 1")[number: "algorithm.gamma"] == 1)
    }

    @Test func unknownKeysNameTheClosestValidKey() {
        #expect(locatedError("algorithm:\n  gama: 0.9\n")
                == "test.yaml:2: unknown key algorithm.gama; did you mean algorithm.gamma?")
        #expect(locatedError("actor_rollout_ref:\n  actor:\n    kl_coef: 0.1\n")
                == "test.yaml:3: unknown key actor_rollout_ref.actor.kl_coef; did you mean algorithm.kl_ctrl.kl_coef?")
        #expect(locatedError("rollout.n_agent: 5\n")
                == "test.yaml:1: unknown key rollout.n_agent; did you mean actor_rollout_ref.rollout.n_agent?")
    }

    @Test func wrongTypesAndRangesNameTheKey() {
        #expect(locatedError("algorithm:\n  gamma: high\n") == "test.yaml:2: algorithm.gamma: expected a number, got \"high\"")
        #expect(locatedError("trainer.seed: 1.5\n") == "test.yaml:1: trainer.seed: expected an integer, got \"1.5\"")
        #expect(locatedError("algorithm.gamma: \"0.9\"\n") == "test.yaml:1: algorithm.gamma: expected a number, got \"0.9\"")
        #expect(locatedError("algorithm.adv_estimator: ppo\n")
                == "test.yaml:1: algorithm.adv_estimator: expected one of gae, grpo, rloo, reinforce_plus_plus, reinforce_plus_plus_baseline, got \"ppo\"")
        #expect(locatedError("actor_rollout_ref.actor.clip_ratio_c: 0.5\n")
                == "test.yaml:1: actor_rollout_ref.actor.clip_ratio_c: must be greater than 1, got 0.5")
        #expect(locatedError("algorithm.gamma:\n  x: 1\n") == "test.yaml:2: algorithm.gamma: expected a number, got a mapping")
        #expect(locatedError("algorithm.kl_ctrl: 3\n")?.hasPrefix("test.yaml:1: algorithm.kl_ctrl is a section") == true)
    }

    @Test func aKeySetTwiceIsAnError() {
        #expect(locatedError("algorithm.gamma: 0.9\nalgorithm:\n  gamma: 0.8\n")
                == "test.yaml:3: algorithm.gamma is set twice (first on line 1)")
    }

    @Test func invalidYAMLIsLocated() {
        #expect(locatedError("algorithm:\n  gamma: [1,\n")?.hasPrefix("test.yaml:") == true)
        #expect(locatedError("- a\n- b\n") == "test.yaml:1: expected a mapping of config keys at the top level")
    }

    @Test func overridesApplyAfterTheFileAndNameTheirKey() throws {
        let config = try resolve("algorithm.gamma: 0.9\n", overrides: ["algorithm.gamma=0.5", "actor_rollout_ref.actor.clip_ratio_c=3",
                                                                       "world.dir=/tmp/w"])
        #expect(config[number: "algorithm.gamma"] == 0.5)
        #expect(config[optionalNumber: "actor_rollout_ref.actor.clip_ratio_c"] == 3)
        #expect(config[optionalString: "world.dir"] == "/tmp/w")
        #expect(throws: SearchLabError("--set algorithm.lambda=1: unknown key algorithm.lambda; did you mean algorithm.lam?")) {
            try resolve("", overrides: ["algorithm.lambda=1"])
        }
        #expect(throws: SearchLabError("--set trainer.seed: expected KEY=VALUE")) { try resolve("", overrides: ["trainer.seed"]) }
        #expect(try resolve("", overrides: ["policy.checkpoint=null"])[optionalString: "policy.checkpoint"] == nil)
    }

    @Test func relationsBetweenKeysAreChecked() throws {
        let config = try resolve("", overrides: ["data.train_batch_size=8", "actor_rollout_ref.actor.ppo_mini_batch_size=16",
                                                 "actor_rollout_ref.actor.ppo_micro_batch_size=4"])
        #expect(throws: SearchLabError.self) { try TrainingConfig(config) }
        var grpo = config
        try grpo.apply(override: "actor_rollout_ref.rollout.n_agent=2")
        #expect(try TrainingConfig(grpo).actor.miniBatchSize == 16, "mini-batches count trajectories: 8 × 2 = 16 fit")
        try grpo.apply(override: "actor_rollout_ref.actor.ppo_micro_batch_size=5")
        #expect(throws: SearchLabError.self, "micro-batches must divide the mini-batch") { try TrainingConfig(grpo) }
    }

    @Test func shippedExampleConfigsLoad() throws {
        let ppo = try TrainingConfig(ConfigLoader.resolve(file: Fixtures.url("configs/ppo.yaml").path, overrides: []))
        #expect(ppo.estimator == .gae && ppo.useKLInReward && !ppo.actor.useKLLoss && ppo.rollout.nAgent == 1)
        let grpo = try TrainingConfig(ConfigLoader.resolve(file: Fixtures.url("configs/grpo.yaml").path, overrides: []))
        #expect(grpo.estimator == .grpo && grpo.rollout.nAgent == 5 && grpo.actor.loss.klLossCoefficient == 0.001)
        #expect(grpo.actor.loss.klLossType == .lowVarKL && !grpo.useKLInReward)
        #expect(grpo.trainBatchSize * grpo.rollout.nAgent / grpo.actor.miniBatchSize == 10, "ten updates per step, as upstream")
    }

    @Test func canonicalDumpIsSortedAndStable() throws {
        let config = try ConfigLoader.resolve(file: Fixtures.url("configs/grpo.yaml").path, overrides: ["trainer.seed=3"])
        let json = try config.canonicalJSON()
        let keys = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]).keys
        #expect(keys.count == TrainingConfigSchema.keys.count)
        #expect(json.hasPrefix("{\"actor_rollout_ref.actor.clip_ratio\":0.2,"))
        #expect(json.contains("\"trainer.seed\":3"))
        #expect(try config.digest() == CanonicalJSON.sha256Hex(Data(json.utf8)))
        if let mismatch = snapshotMismatch(try config.prettyJSON() + "\n", named: "grpo-resolved.json") { Issue.record("\(mismatch)") }
    }

    @Test func docsConfigMdIsFresh() throws {
        let committed = try String(contentsOf: Fixtures.root.appendingPathComponent("docs/config.md"), encoding: .utf8)
        #expect(committed == TrainingConfigSchema.markdownReference(),
                "docs/config.md is out of date; run `swift run searchlab config docs > docs/config.md`")
    }

    @Test func schemaDefaultsHaveTheirDeclaredTypes() throws {
        for key in TrainingConfigSchema.keys {
            var config = ResolvedConfig()
            try config.set(key.name, text: key.defaultValue.description)
            #expect(config.values[key.name] == key.defaultValue, "\(key.name) default reads back")
        }
    }
}
