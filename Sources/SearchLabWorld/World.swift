// SearchLabWorld: the seeded synthetic world — invented entities, typed relations,
// wiki-style passages with distractors, and multi-hop questions in FlashRAG form.
import SearchLabCore

/// A generated world: entities and their facts, passages (rendered on demand), and the
/// train and test questions. Everything is a function of ``config``.
public struct World: Sendable {
    /// Version of the generator; bumped whenever the same configuration would produce
    /// different files.
    public static let generatorVersion = 1

    public let config: WorldConfig
    /// All entities; `entities[i].index == i`.
    public let entities: [Entity]
    public let train: [WorldQuestion]
    public let test: [WorldQuestion]
    /// Entity indices of each type, ascending.
    public let entitiesByType: [EntityType: [Int]]

    /// Generates the world of `config`.
    /// - Throws: ``SearchLabError`` for an invalid configuration or when the world is too
    ///   small for the number of questions requested.
    public static func generate(_ config: WorldConfig) throws -> World {
        try config.validate()
        var builder = EntityBuilder(config: config)
        var entities = builder.build()
        entities.finishTitlesAndAliases()
        let questions = try QuestionBuilder(config: config, entities: entities).build()
        return World(config: config, entities: entities, train: questions.train, test: questions.test,
                     entitiesByType: builder.byType)
    }

    /// Total number of passages (`entities × passagesPerEntity`).
    public var passageCount: Int { config.passageCount }

    /// The relations that exist in this world.
    public var relations: [Relation] { config.relations }

    private var renderer: PassageRenderer {
        PassageRenderer(seed: config.seed, entities: entities, byType: entitiesByType,
                        passagesPerEntity: config.passagesPerEntity)
    }

    /// Passage number `id` (0 ..< ``passageCount``), as it appears in `corpus.jsonl`.
    public func passage(_ id: Int) -> CorpusDocument {
        precondition((0..<passageCount).contains(id), "passage id out of range")
        let entity = entities[id / config.passagesPerEntity]
        let text = renderer.text(entity: entity, slot: id % config.passagesPerEntity)
        return CorpusDocument(id: String(id), contents: "\"\(entity.title)\"\n\(text)")
    }

    /// Calls `body` with every passage in id order, rendering one at a time.
    public func forEachPassage(_ body: (CorpusDocument) throws -> Void) rethrows {
        let renderer = self.renderer
        for entity in entities {
            for slot in 0..<config.passagesPerEntity {
                let text = renderer.text(entity: entity, slot: slot)
                try body(CorpusDocument(id: String(entity.index * config.passagesPerEntity + slot),
                                        contents: "\"\(entity.title)\"\n\(text)"))
            }
        }
    }

    /// The entity a passage describes.
    public func entity(ofPassage id: Int) -> Entity { entities[id / config.passagesPerEntity] }
}
