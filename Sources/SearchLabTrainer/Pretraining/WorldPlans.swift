// Demonstration plans for the simulated world's questions.
import Foundation
import SearchLabCore
import SearchLabWorld

extension DemonstrationPlan {
    /// The plan for a world question: hop h searches "<entity_h> <relation words>" and
    /// reveals entity h+1; decoys are other questions' answers.
    public init?(question: WorldQuestion, decoys: [String]) {
        let m = question.metadata
        guard !m.relationChain.isEmpty, m.entityChain.count == m.relationChain.count + 1 else { return nil }
        let hops = m.relationChain.indices.map { h in
            Hop(entity: m.entityChain[h], relationWords: WorldPlans.relationWords(m.relationChain[h]),
                found: m.entityChain[h + 1])
        }
        self.init(hops: hops, decoys: decoys.filter { $0 != m.entityChain.last })
    }
}

/// Helpers for turning world questions into plans and trajectories' questions.
public enum WorldPlans {
    /// `born_in` → `born in`: the words a passage uses for the relation.
    public static func relationWords(_ relation: String) -> String {
        relation.replacingOccurrences(of: "_", with: " ")
    }

    /// The trajectory-side question for a world question.
    public static func question(_ q: WorldQuestion, sampleIndex: Int = 0) -> Question {
        Question(id: q.id, dataSource: q.dataSource, text: q.question, goldenAnswers: q.goldenAnswers,
                 groupID: q.id, sampleIndex: sampleIndex)
    }

    /// Plans for every question, keyed by question id, with up to `decoyCount` decoys drawn
    /// from the other questions' answers by a seeded stream.
    public static func plans(for questions: [WorldQuestion], seed: UInt64, decoyCount: Int = 4) -> [String: DemonstrationPlan] {
        let answers = questions.compactMap(\.goldenAnswers.first)
        var plans: [String: DemonstrationPlan] = [:]
        for (i, q) in questions.enumerated() {
            var random = RandomStream(seed: seed, purpose: "pretrain.decoys", UInt64(i))
            let decoys = answers.isEmpty ? [] : (0..<decoyCount).map { _ in answers[random.nextIndex(below: answers.count)] }
            plans[q.id] = DemonstrationPlan(question: q, decoys: decoys)
        }
        return plans
    }
}
