// Outcome-level estimators: one scalar score per row, compared within groups of rows.

/// Rows grouped by id, and each row's outcome score.
struct GroupedScores {
    /// score_i = Σ_t r_{i,t} (the outcome reward plus any per-token terms).
    let scores: [Double]
    /// The rows of each group, groups in order of first appearance (never hash order).
    let groups: [[Int]]
    /// For each row, the index of its group in `groups`.
    let groupOfRow: [Int]

    init(_ batch: AdvantageBatch) {
        scores = (0..<batch.shape.rows).map { i in batch.shape.row(i).reduce(0) { $0 + batch.tokenRewards[$1] } }
        (groups, groupOfRow) = GroupedScores.group(batch.groupIDs)
    }

    static func group(_ ids: [String]) -> (groups: [[Int]], groupOfRow: [Int]) {
        var index: [String: Int] = [:]
        var groups: [[Int]] = []
        var groupOfRow: [Int] = []
        for (row, id) in ids.enumerated() {
            let g = index[id] ?? groups.count
            if g == groups.count {
                index[id] = g
                groups.append([])
            }
            groups[g].append(row)
            groupOfRow.append(g)
        }
        return (groups, groupOfRow)
    }

    /// Mean and unbiased std (N−1) of each group's scores; a singleton group gets mean 0 and
    /// std 1 (verl's rule), which leaves its score as its advantage.
    func meanAndStd() -> [(mean: Double, std: Double)] {
        groups.map { rows in
            guard rows.count > 1 else { return (0, 1) }
            let values = rows.map { scores[$0] }
            let mean = values.reduce(0, +) / Double(values.count)
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return (mean, (squares / Double(values.count - 1)).squareRoot())
        }
    }

    /// Broadcasts one value per row over its tokens, times the response mask.
    func broadcast(_ perRow: [Double], _ batch: AdvantageBatch) -> [Double] {
        var out = [Double](repeating: 0, count: batch.shape.count)
        for i in 0..<batch.shape.rows {
            for k in batch.shape.row(i) { out[k] = perRow[i] * batch.responseMask[k] }
        }
        return out
    }
}

/// GRPO's outcome advantage (Shao et al. 2024, arXiv 2402.03300; verl
/// `compute_grpo_outcome_advantage`): A_i = (s_i − mean_g)/(std_g + ε), or s_i − mean_g in the
/// Dr.GRPO form (Liu et al. 2025, arXiv 2503.20783), broadcast over the response tokens.
/// A group whose scores are all equal gets A = 0. Returns equal the advantages.
public struct GRPO: AdvantageEstimator {
    public var normalizeByStd: Bool
    public var epsilon: Double

    public init(normalizeByStd: Bool = true, epsilon: Double = 1e-6) {
        self.normalizeByStd = normalizeByStd
        self.epsilon = epsilon
    }

    public func estimate(_ batch: AdvantageBatch) throws -> Advantages {
        let grouped = GroupedScores(batch)
        let stats = grouped.meanAndStd()
        let perRow = grouped.scores.indices.map { i -> Double in
            let (mean, std) = stats[grouped.groupOfRow[i]]
            let centred = grouped.scores[i] - mean
            return normalizeByStd ? centred / (std + epsilon) : centred
        }
        let advantages = grouped.broadcast(perRow, batch)
        return Advantages(advantages: advantages, returns: advantages)
    }
}

/// REINFORCE leave-one-out (Ahmadian et al. 2024, arXiv 2402.14740):
/// A_i = s_i − mean_{j≠i} s_j = (n·s_i − n·mean_g)/(n − 1); a singleton keeps its score.
public struct RLOO: AdvantageEstimator {
    public init() {}

    public func estimate(_ batch: AdvantageBatch) throws -> Advantages {
        let grouped = GroupedScores(batch)
        let stats = grouped.meanAndStd()
        let perRow = grouped.scores.indices.map { i -> Double in
            let g = grouped.groupOfRow[i]
            let n = Double(grouped.groups[g].count)
            guard n > 1 else { return grouped.scores[i] }
            return grouped.scores[i] * n / (n - 1) - stats[g].mean * n / (n - 1)
        }
        let advantages = grouped.broadcast(perRow, batch)
        return Advantages(advantages: advantages, returns: advantages)
    }
}

/// REINFORCE++ with a group-mean baseline (verl `reinforce_plus_plus_baseline`):
/// s_i − mean_g broadcast over the tokens, then whitened over the whole batch.
public struct ReinforcePlusPlusBaseline: AdvantageEstimator {
    public init() {}

    public func estimate(_ batch: AdvantageBatch) throws -> Advantages {
        let grouped = GroupedScores(batch)
        let stats = grouped.meanAndStd()
        let perRow = grouped.scores.indices.map { grouped.scores[$0] - stats[grouped.groupOfRow[$0]].mean }
        let tiled = grouped.broadcast(perRow, batch)
        let whitened = zip(Masked.whiten(tiled, batch.responseMask), batch.responseMask).map { $0 * $1 }
        return Advantages(advantages: whitened, returns: whitened)
    }
}
