import Foundation
import SearchLabCore
import SearchLabStore
import SearchLabTestSupport

/// Run databases for the export tests: one with ordinary text, one whose every text field
/// is an attack on HTML, JavaScript, Markdown or Python.
enum ReportTestData {
    static let hostile = #"<script>alert("x")</script> "dq" 'sq' </textarea></pre></td><img src=x onerror=alert(1)> javascript:alert(2) ]]> --> {{7*7}} """; import os #"#

    static func trajectories(hostile: Bool) throws -> [Trajectory] {
        var list = try JSONDecoder().decode([Trajectory].self, from: Data(try Fixtures.text("report/two-trajectories.json").utf8))
        guard hostile else { return list }
        for i in list.indices {
            list[i].question.text = "Q " + Self.hostile
            list[i].question.dataSource = #"sim"><script>alert(3)</script>"#
            list[i].prompt += Self.hostile
            list[i].outcome.extractedAnswer = "A " + Self.hostile
            for j in list[i].turns.indices {
                list[i].turns[j].text += Self.hostile
                list[i].turns[j].rawGeneration += Self.hostile
                if list[i].turns[j].action.content != nil { list[i].turns[j].action.content! += Self.hostile }
                list[i].turns[j].observation?.text += Self.hostile
            }
        }
        return list
    }

    /// A database with run `name`: three steps of metrics, both trajectories (one group) at
    /// every step, validation every other step.
    @discardableResult
    static func makeDatabase(_ path: String, name: String = "r", hostile: Bool = false, shift: Double = 0) throws -> RunStore {
        let store = try RunStore(path: path)
        let config: [String: JSONValue] = ["algorithm.adv_estimator": .string("grpo"), "trainer.seed": .integer(0),
                                           "retriever.engine": .string(hostile ? Self.hostile : "bm25")]
        let run = try store.createRun(RunSpec(name: name, source: "trainer", configJSON: try CanonicalJSON.string(config), seed: 0,
                                              codeVersion: hostile ? "v`](javascript:alert(4)) " + Self.hostile : "test"))
        let source = hostile ? #"sim"><script>alert(3)</script>"# : "sim-2hop"
        for step in 0..<3 {
            let s = Double(step)
            var metrics = ["reward/mean": 0.2 + 0.1 * s + shift, "em/mean": 0.1 + 0.1 * s + shift, "em/\(source)": 0.1 * s,
                           "env/number_of_valid_search": 1 + 0.5 * s, "env/number_of_valid_search/\(source)": 1 + s,
                           "response_length/mean": 40 - s, "response_length/generated_mean": 20 - s,
                           "actor/kl_loss": 0.001 * s, "actor/ppo_kl": 0.0001 * s, "actor/entropy_loss": 2 - 0.1 * s,
                           "actor/pg_clipfrac": 0.01 * s, "actor/pg_clipfrac_lower": 0]
            if step % 2 == 0 { metrics["val/em"] = 0.1 * s + shift; metrics["val/em/\(source)"] = 0.1 * s }
            let ids = try store.writeStep(runID: run.id!, step: step, metrics: metrics, trajectories: try trajectories(hostile: hostile))
            // Token views as the trainer stores them: kept text trained, observations masked.
            for (id, trajectory) in zip(ids, try trajectories(hostile: hostile)) {
                try store.write { try $0.addTokenView(tokenView(of: trajectory), trajectoryID: id) }
            }
        }
        return store
    }

    /// A token view of `trajectory` cut into pieces of at most 4 bytes, with made-up log-probabilities.
    static func tokenView(of trajectory: Trajectory) -> TokenView {
        var lengths: [Int] = [], trained: [Bool] = []
        for turn in trajectory.turns {
            for (text, isTrained) in [(turn.text, true), (turn.observation?.text ?? "", false)] {
                var rest = Array(text.utf8)[...]
                while !rest.isEmpty {
                    // Never cut inside a UTF-8 character.
                    var n = min(4, rest.count)
                    while n < rest.count && rest[rest.startIndex + n] & 0xC0 == 0x80 { n += 1 }
                    lengths.append(n)
                    trained.append(isTrained)
                    rest = rest.dropFirst(n)
                }
            }
        }
        return TokenView(byteLengths: lengths, logProbs: lengths.indices.map { -Float($0 % 7) * 0.4 }, trained: trained)
    }
}
