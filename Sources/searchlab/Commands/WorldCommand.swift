import ArgumentParser
import Foundation
import SearchLabCore
import SearchLabWorld

/// `searchlab world`: generate a seeded synthetic world (corpus + questions + manifest).
struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world",
        abstract: "Generate a seeded synthetic world: a Search-R1 corpus and multi-hop questions.",
        discussion: """
            Writes DIR/corpus.jsonl ({"contents": "\\"Title\\"\\ntext", "id"} per passage), \
            DIR/train.jsonl and DIR/test.jsonl (FlashRAG form: id, question, golden_answers, \
            data_source sim-1hop/sim-2hop/sim-3hop, metadata with supporting_passages, \
            relation_chain and entity_chain) and DIR/world.json (seed, configuration, sizes, \
            generator version, SHA-256 of each file). The same seed and options always give \
            byte-identical files. See docs/world.md.

            The defaults make the small world the demo trains on: 300 entities, 1,500 \
            passages, 2,000 train and 300 test questions.
            """)

    @Option(help: "Seed of every random choice.")
    var seed: UInt64

    @Option(help: "Number of entities (people, cities, countries, organisations, works).")
    var entities: Int = 300

    @Option(help: ArgumentHelp("Comma-separated relations to include, from those listed in docs/world.md.", valueName: "LIST"))
    var relations: String = Relation.names.joined(separator: ",")

    @Option(help: "Passages per entity.")
    var passagesPerEntity: Int = 5

    @Option(help: "Number of training questions.")
    var train: Int = 2000

    @Option(help: "Number of test questions.")
    var test: Int = 300

    @Option(help: ArgumentHelp("Comma-separated hop counts of the questions, from 1,2,3.", valueName: "LIST"))
    var hops: String = "1,2,3"

    @Option(help: ArgumentHelp("Output directory (created if missing; must be empty unless --force).", valueName: "DIR"))
    var out: String

    @Flag(help: "Replace the world files of a non-empty output directory.")
    var force = false

    func run() throws {
        try reportingErrors {
            let config = WorldConfig(
                seed: seed, entities: entities, relations: try WorldConfig.parseRelations(relations),
                passagesPerEntity: passagesPerEntity, train: train, test: test, hops: try WorldConfig.parseHops(hops))
            let world = try World.generate(config)
            let manifest = try world.write(to: URL(fileURLWithPath: out), force: force)
            let sources = manifest.sizes.questionsBySource.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            Output.writeLines([
                "wrote \(out): \(manifest.sizes.entities) entities, \(manifest.sizes.passages) passages, "
                    + "\(manifest.sizes.train) train / \(manifest.sizes.test) test questions (\(sources))",
                "corpus.jsonl sha256 \(manifest.files["corpus.jsonl"]!.sha256)",
            ])
        }
    }
}
