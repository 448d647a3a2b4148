// Chooses questions: relation chains through the world, spread over many start entities,
// split into train and test without a question text in both.
import Foundation
import SearchLabCore

/// A path through the world: entities[0] –relations[0]→ entities[1] → …
struct Chain {
    var entities: [Int]
    var relations: [Relation]
    var passages: [Int]
}

/// Builds the train and test questions of a world.
struct QuestionBuilder {
    let config: WorldConfig
    let entities: [Entity]

    /// - Throws: ``SearchLabError`` when the world has fewer distinct questions than requested.
    func build() throws -> (train: [WorldQuestion], test: [WorldQuestion]) {
        let total = config.train + config.test
        var seen = Set<String>()
        let pools = config.hops.map { candidates(hops: $0, limit: total, seen: &seen) }
        let take = try allocate(total: total, available: pools.map { $0.count })
        let testCounts = apportion(config.test, weights: take.map { Double($0) })
        var train: [(String, Chain)] = [], test: [(String, Chain)] = []
        for (h, hops) in config.hops.enumerated() {
            var chosen = Array(pools[h].prefix(take[h]))
            var random = RandomStream(seed: config.seed, purpose: "world.split", UInt64(hops))
            chosen.shuffle(using: &random)
            test += chosen.prefix(testCounts[h])
            train += chosen.dropFirst(testCounts[h])
        }
        return (finish(train, split: "train"), finish(test, split: "test"))
    }

    /// Up to `limit` distinct questions with `hops` hops, spread over start entities: a
    /// seeded order of entities is visited in passes, taking one more chain each pass.
    private func candidates(hops: Int, limit: Int, seen: inout Set<String>) -> [(String, Chain)] {
        var order = Array(entities.indices)
        var random = RandomStream(seed: config.seed, purpose: "world.questions.order", UInt64(hops))
        order.shuffle(using: &random)
        var result: [(String, Chain)] = []
        var pending: [[Chain]] = []
        func offer(_ chain: Chain) {
            let text = Relation.question(chain: chain.relations, about: entities[chain.entities[0]].name)
            // A question must not contain its answer (two names may coincide by chance).
            let words = " " + text.dropLast() + " "
            guard !entities[chain.entities.last!].answers.contains(where: { words.contains(" \($0) ") }) else { return }
            if seen.insert(text).inserted { result.append((text, chain)) }
        }
        for start in order where result.count < limit {
            var chains = self.chains(from: start, hops: hops)
            var shuffle = RandomStream(seed: config.seed, purpose: "world.questions.chains", UInt64(hops), UInt64(start))
            chains.shuffle(using: &shuffle)
            guard let first = chains.first else { continue }
            offer(first)
            if chains.count > 1 { pending.append(Array(chains.dropFirst().reversed())) }
        }
        while result.count < limit, !pending.isEmpty {
            for k in pending.indices where result.count < limit {
                if let chain = pending[k].popLast() { offer(chain) }
            }
            pending.removeAll { $0.isEmpty }
        }
        return result
    }

    /// Every chain of `hops` facts from `start` that never revisits an entity.
    func chains(from start: Int, hops: Int) -> [Chain] {
        var result: [Chain] = []
        func extend(_ chain: Chain) {
            if chain.relations.count == hops { result.append(chain); return }
            for fact in entities[chain.entities.last!].facts where !chain.entities.contains(fact.object) {
                extend(Chain(entities: chain.entities + [fact.object], relations: chain.relations + [fact.relation],
                             passages: chain.passages + [fact.passage]))
            }
        }
        extend(Chain(entities: [start], relations: [], passages: []))
        return result
    }

    /// How many questions of each hop count to take: the configured shares, with any hop
    /// count that runs short made up by the others.
    private func allocate(total: Int, available: [Int]) throws -> [Int] {
        let wanted = apportion(total, weights: config.hops.map(WorldConfig.hopWeight))
        var take = zip(wanted, available).map { min($0, $1) }
        var missing = total - take.reduce(0, +)
        while missing > 0 {
            let before = missing
            for h in take.indices where missing > 0 && take[h] < available[h] {
                take[h] += 1
                missing -= 1
            }
            if missing == before {
                let hops = config.hops.map(String.init).joined(separator: ",")
                throw SearchLabError("the world has only \(available.reduce(0, +)) distinct questions with hops \(hops) but \(total) were requested (--train + --test); use more --entities, more --hops or fewer questions")
            }
        }
        return take
    }

    /// Turns chains into records, in a seeded order, numbered `split_0`, `split_1`, …
    private func finish(_ items: [(String, Chain)], split: String) -> [WorldQuestion] {
        var items = items
        var random = RandomStream(seed: config.seed, purpose: "world.order", split == "train" ? 0 : 1)
        items.shuffle(using: &random)
        return items.enumerated().map { n, item in
            let (text, chain) = item
            return WorldQuestion(
                id: "\(split)_\(n)", question: text, goldenAnswers: entities[chain.entities.last!].answers,
                dataSource: WorldQuestion.dataSource(hops: chain.relations.count),
                metadata: .init(supportingPassages: chain.passages.map(String.init),
                                relationChain: chain.relations.map(\.rawValue),
                                entityChain: chain.entities.map { entities[$0].name }))
        }
    }
}

/// Splits `total` in proportion to `weights` by largest remainder (ties to the earlier
/// index), so the parts always sum to `total`.
func apportion(_ total: Int, weights: [Double]) -> [Int] {
    let sum = weights.reduce(0, +)
    guard sum > 0 else { return weights.map { _ in 0 } }
    let exact = weights.map { Double(total) * $0 / sum }
    var parts = exact.map { Int($0.rounded(.down)) }
    let order = exact.indices.sorted { a, b in
        let ra = exact[a] - Double(parts[a]), rb = exact[b] - Double(parts[b])
        return ra != rb ? ra > rb : a < b
    }
    for k in 0..<(total - parts.reduce(0, +)) { parts[order[k % order.count]] += 1 }
    return parts
}
