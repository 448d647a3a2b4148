// `searchlab config` end to end, through the built binary.
import Foundation
import SearchLabTestSupport
import Testing
@testable import SearchLabTrainer

@Suite struct ConfigCommandTests {
    @Test func showPrintsTheResolvedConfig() throws {
        let result = try runSearchlab(["config", "show", "--config", Fixtures.url("configs/ppo.yaml").path,
                                       "--set", "trainer.seed=7", "--canonical"])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try ConfigLoader.resolve(file: Fixtures.url("configs/ppo.yaml").path, overrides: ["trainer.seed=7"])
        #expect(result.stdout == (try expected.canonicalJSON()) + "\n")
        let reread = try ResolvedConfig(canonicalJSON: Data(result.stdout.utf8))
        #expect(reread == expected, "the dump reads back to the same config")
    }

    @Test func badKeysFailWithALocatedError() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try "algorithm:\n  adv_estimator: grpo\n  gama: 0.9\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try runSearchlab(["config", "show", "--config", file.path])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "error: \(file.path):3: unknown key algorithm.gama; did you mean algorithm.gamma?\n")
        let override = try runSearchlab(["config", "show", "--set", "actor_rollout_ref.rollout.n_agent=five"])
        #expect(override.stderr == "error: --set actor_rollout_ref.rollout.n_agent=five: actor_rollout_ref.rollout.n_agent: expected an integer, got \"five\"\n")
    }

    @Test func docsPrintsTheReference() throws {
        let result = try runSearchlab(["config", "docs"])
        #expect(result.status == 0)
        #expect(result.stdout == TrainingConfigSchema.markdownReference())
    }
}

@Suite struct BatchPreparationTests {
    @Test func stateMaskingDropsInformationTokens() {
        let response: [Double] = [1, 1, 1, 1, 0], info: [Double] = [1, 0, 0, 1, 0]
        #expect(BatchPreparation.lossMask(responseMask: response, infoMask: info, stateMasking: true) == [1, 0, 0, 1, 0])
        #expect(BatchPreparation.lossMask(responseMask: response, infoMask: info, stateMasking: false) == response)
    }

    @Test func upstreamUIDCollisionIsOptIn() {
        #expect(BatchPreparation.groupID(questionID: "nq-12", sourceIndex: 12, uidPerSourceIndex: false) == "nq-12")
        #expect(BatchPreparation.groupID(questionID: "hotpotqa-12", sourceIndex: 12, uidPerSourceIndex: true) == "12")
    }

    @Test func scalingAMicroBatchScalesLossAndGradients() {
        let shape = TokenShape(rows: 1, length: 2)
        let batch = PolicyLossBatch(shape: shape, logProbs: [-1, -2], oldLogProbs: [-1.1, -2], advantages: [1, -1],
                                    lossMask: [1, 1], entropy: [0.5, 0.5])
        var p = PolicyLossParameters()
        p.entropyCoefficient = 0.1
        let full = PolicyLoss.compute(batch, p)
        let quarter = full.scaled(by: 0.25)
        #expect(quarter.loss == full.loss / 4)
        #expect(quarter.logProbGradient == full.logProbGradient.map { $0 / 4 })
        #expect(quarter.entropyGradient == full.entropyGradient.map { $0 / 4 })
        #expect(quarter.metrics == full.metrics)
    }

    @Test func whiteningFewerThanTwoTokensGivesZeroNotNaN() {
        #expect(Masked.whiten([3, 7], [0, 1]) == [-4 / (1e-8 as Double).squareRoot(), 0])
        #expect(Masked.variance([3, 7], [0, 1]) == 0)
        #expect(Masked.mean([3, 7], [0, 0]) == 0)
    }
}
