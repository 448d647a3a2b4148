// What a world is generated from. The seed and this configuration determine every byte.
import Foundation
import SearchLabCore

/// The parameters of a simulated world.
///
/// The defaults make the small world `make demo` trains on: 300 entities × 5 passages =
/// 1,500 passages and 2,000 train / 300 test questions, mostly 1- and 2-hop. With the
/// default relations that world has about 700 distinct 1-hop questions, so the 30% 1-hop
/// share uses most of them and the rest come from 2- and 3-hop chains.
public struct WorldConfig: Codable, Hashable, Sendable {
    /// Seed of every random choice (names, facts, passages, questions, split).
    public var seed: UInt64
    /// Number of entities over all types (at least 20).
    public var entities: Int
    /// Relations that exist in the world, in ``Relation`` order.
    public var relations: [Relation]
    /// Passages per entity (at least 1); the corpus has `entities × passagesPerEntity`.
    public var passagesPerEntity: Int
    /// Number of training questions.
    public var train: Int
    /// Number of test questions.
    public var test: Int
    /// Hop counts of the questions (subset of 1, 2, 3), ascending.
    public var hops: [Int]
    /// Probability that a new name is one letter away from an existing name of the type.
    public var nearDuplicateRate: Double
    /// Probability that a city, band or work reuses a one-word name of another type.
    public var sharedNameRate: Double

    public init(seed: UInt64 = 0, entities: Int = 300, relations: [Relation] = Relation.allCases,
                passagesPerEntity: Int = 5, train: Int = 2000, test: Int = 300, hops: [Int] = [1, 2, 3],
                nearDuplicateRate: Double = 0.10, sharedNameRate: Double = 0.08) {
        self.seed = seed
        self.entities = entities
        self.relations = Array(Set(relations)).sorted()
        self.passagesPerEntity = passagesPerEntity
        self.train = train
        self.test = test
        self.hops = Array(Set(hops)).sorted()
        self.nearDuplicateRate = nearDuplicateRate
        self.sharedNameRate = sharedNameRate
    }

    /// Share of the questions with `hops` hops before renormalising over ``hops``: 1-hop
    /// questions are few (one per fact), 3-hop ones are hard for a tiny model.
    static func hopWeight(_ hops: Int) -> Double {
        switch hops {
        case 1: return 0.30
        case 2: return 0.50
        default: return 0.20
        }
    }

    /// Total number of passages.
    public var passageCount: Int { entities * passagesPerEntity }

    /// Checks the ranges; the message names the option and what is expected.
    /// - Throws: ``SearchLabError``.
    public func validate() throws {
        guard entities >= 20 else { throw SearchLabError("--entities must be at least 20 (got \(entities))") }
        guard entities <= 10_000_000 else { throw SearchLabError("--entities must be at most 10000000 (got \(entities))") }
        guard (1...100).contains(passagesPerEntity) else {
            throw SearchLabError("--passages-per-entity must be between 1 and 100 (got \(passagesPerEntity))")
        }
        guard train >= 0, test >= 0 else { throw SearchLabError("--train and --test must not be negative") }
        guard !relations.isEmpty else { throw SearchLabError("--relations must name at least one relation") }
        guard !hops.isEmpty, hops.allSatisfy({ (1...3).contains($0) }) else {
            throw SearchLabError("--hops must be a comma-separated subset of 1,2,3 (got \(hops.map(String.init).joined(separator: ",")))")
        }
        guard (0...0.5).contains(nearDuplicateRate), (0...0.5).contains(sharedNameRate) else {
            throw SearchLabError("distractor rates must be between 0 and 0.5")
        }
    }

    /// Parses a comma-separated relation list such as `born_in,located_in`.
    /// - Throws: ``SearchLabError`` naming an unknown relation and listing the known ones.
    public static func parseRelations(_ list: String) throws -> [Relation] {
        try list.split(separator: ",").map { piece in
            let name = piece.trimmingCharacters(in: .whitespaces)
            guard let relation = Relation(rawValue: name) else {
                throw SearchLabError("unknown relation \"\(name)\" in --relations; expected some of \(Relation.names.joined(separator: ","))")
            }
            return relation
        }
    }

    /// Parses a comma-separated hop list such as `1,2`.
    public static func parseHops(_ list: String) throws -> [Int] {
        try list.split(separator: ",").map { piece in
            let text = piece.trimmingCharacters(in: .whitespaces)
            guard let hops = Int(text), (1...3).contains(hops) else {
                throw SearchLabError("--hops must be a comma-separated subset of 1,2,3 (got \"\(list)\")")
            }
            return hops
        }
    }
}

extension WorldConfig {
    enum CodingKeys: String, CodingKey {
        case seed, entities, relations, train, test, hops
        case passagesPerEntity = "passages_per_entity"
        case nearDuplicateRate = "near_duplicate_rate"
        case sharedNameRate = "shared_name_rate"
    }
}
