import Foundation
import SearchLabCore
import Testing
@testable import SearchLabWorld

@Suite struct WorldValidityTests {
    /// Every golden answer is reachable by following the named passages: the first entity
    /// is in the question, each passage is about the current entity and names the next.
    @Test(arguments: [UInt64(11), 12])
    func answersAreReachableThroughSupportingPassages(seed: UInt64) throws {
        let w = try WrittenWorld(defaultConfig(seed: seed))
        defer { w.remove() }
        let corpus = try w.corpus()
        let questions = try WorldDataset.read(directory: w.directory, split: "train")
            + WorldDataset.read(directory: w.directory, split: "test")
        #expect(questions.count == 2300)
        for q in questions {
            let chain = q.metadata.entityChain
            #expect(q.question.contains(chain[0]), "\(q.id): first entity not in the question")
            #expect(q.goldenAnswers.first == chain.last)
            #expect(q.dataSource == "sim-\(q.hops)hop")
            for (hop, id) in q.metadata.supportingPassages.enumerated() {
                let contents = try #require(corpus[id], "\(q.id): unknown passage \(id)")
                let (title, text) = SearchR1Format.splitContents(contents)
                #expect(title.hasPrefix("\"\(chain[hop])"), "\(q.id): passage \(id) is not about \(chain[hop])")
                #expect(text.contains(chain[hop + 1]), "\(q.id): passage \(id) does not name \(chain[hop + 1])")
            }
        }
    }

    @Test func supportingPassageStatesTheFact() throws {
        let world = try World.generate(defaultConfig(seed: 13))
        for q in world.train.prefix(300) {
            let relations = q.metadata.relationChain.compactMap(Relation.init(rawValue:))
            for (hop, relation) in relations.enumerated() {
                let subject = try #require(world.entities.first { $0.name == q.metadata.entityChain[hop] && $0.type == relation.subjectType })
                let fact = try #require(subject.fact(relation))
                #expect(String(fact.passage) == q.metadata.supportingPassages[hop])
                #expect(world.entities[fact.object].name == q.metadata.entityChain[hop + 1])
            }
        }
    }

    @Test func questionsNeedSearch() throws {
        let world = try World.generate(defaultConfig(seed: 14))
        let multiHop = (world.train + world.test).filter { $0.hops > 1 }
        #expect(!multiHop.isEmpty)
        for q in world.train + world.test {
            // The question names only the first entity: no answer, no intermediate entity.
            for name in q.metadata.entityChain.dropFirst() + q.goldenAnswers {
                #expect(!(" " + q.question.dropLast() + " ").contains(" \(name) "), "\(q.id) mentions \(name)")
            }
            // Answers are invented: every word is syllables from the inventory or a fixed word.
            for word in q.goldenAnswers[0].split(separator: " ") where !NameSyllables.fixedWords.contains(String(word)) {
                #expect(isSyllabic(word.lowercased()), "\(q.id): \(word) is not an invented word")
            }
        }
    }

    @Test func splitsDoNotShareQuestions() throws {
        let world = try World.generate(defaultConfig(seed: 15))
        let train = Set(world.train.map(\.question)), test = Set(world.test.map(\.question))
        #expect(train.count == world.train.count && test.count == world.test.count)
        #expect(train.isDisjoint(with: test))
        #expect(Set((world.train + world.test).map(\.id)).count == 2300)
        // Every configured hop count is present in both splits.
        for source in ["sim-1hop", "sim-2hop", "sim-3hop"] {
            #expect(world.test.contains { $0.dataSource == source } && world.train.contains { $0.dataSource == source })
        }
    }

    @Test func distractorsExist() throws {
        let world = try World.generate(defaultConfig(seed: 16))
        // Shared names across types get disambiguated titles such as "X (band)" / "X (city)".
        let disambiguated = world.entities.filter { $0.title != $0.name }
        #expect(disambiguated.count >= 4)
        for entity in disambiguated {
            #expect(entity.title == "\(entity.name) (\(entity.kind))")
            #expect(world.entities.contains { $0.index != entity.index && $0.name == entity.name })
        }
        // Near-duplicates: same type, one word differs, and only in its last syllable.
        let nearPairs = world.entities.flatMap { e in e.confusable.map { (e, world.entities[$0]) } }
            .filter { $0.0.type == $0.1.type && $0.0.name != $0.1.name }
        #expect(nearPairs.count >= 10)
        for (a, b) in nearPairs {
            let wa = a.name.split(separator: " "), wb = b.name.split(separator: " ")
            let differing = zip(wa, wb).filter { $0 != $1 }
            #expect(wa.count == wb.count && differing.count == 1, "\(a.name) / \(b.name)")
            if let (x, y) = differing.first {
                #expect(NameSyllables.segment(x.lowercased()) != nil && NameSyllables.segment(y.lowercased()) != nil)
                #expect(x.prefix(1) == y.prefix(1), "\(a.name) / \(b.name) should look alike")
            }
        }
        // People share family names, so a surname alone does not identify a person.
        let families = world.entities.filter { $0.type == .person }.map { $0.name.split(separator: " ").last! }
        #expect(Set(families).count < families.count / 2)
    }

    @Test func relationsRespectTypesAndCapitals() throws {
        let world = try World.generate(defaultConfig(seed: 17))
        for entity in world.entities {
            for fact in entity.facts {
                #expect(fact.relation.subjectType == entity.type)
                #expect(world.entities[fact.object].type == fact.relation.objectType)
                #expect(fact.passage / world.config.passagesPerEntity == entity.index)
            }
        }
        // An organisation's name shows its kind, near-duplicates included.
        for org in world.entities where org.type == .organisation {
            switch org.kind {
            case "company": #expect(org.name.hasSuffix(" Company"), "\(org.name)")
            case "society": #expect(org.name.hasSuffix(" Society"), "\(org.name)")
            case "university": #expect(org.name.hasPrefix("University of "), "\(org.name)")
            default: #expect(org.kind == "band" && !org.name.contains(" "), "\(org.name)")
            }
        }
        for country in world.entities where country.type == .country {
            let capital = world.entities[try #require(country.fact(.hasCapital)).object]
            #expect(capital.fact(.capitalOf)?.object == country.index)
            #expect(capital.fact(.locatedIn)?.object == country.index)
        }
    }

    @Test func relationAndHopSubsetsAreHonoured() throws {
        let config = WorldConfig(seed: 18, entities: 200, relations: [.bornIn, .locatedIn], train: 60, test: 20, hops: [2])
        let world = try World.generate(config)
        for q in world.train + world.test {
            #expect(q.metadata.relationChain == ["born_in", "located_in"])
            #expect(q.question.hasPrefix("in which country is the birthplace of "))
        }
    }

    @Test func tooManyQuestionsIsAClearError() throws {
        let config = WorldConfig(seed: 1, entities: 20, train: 5000, test: 10, hops: [1])
        #expect {
            try World.generate(config)
        } throws: { error in
            "\(error)".contains("distinct questions") && "\(error)".contains("--entities")
        }
    }

    @Test func datasetReaderPointsAtTheBadLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("world-reader-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try CanonicalJSON.string(World.generate(smallConfig(seed: 2)).train[0])
        try (good + "\n" + #"{"id": "x", "question": "q?", "golden_answers": ["a"], "data_source": "sim-1hop"}"# + "\n")
            .write(to: directory, atomically: true, encoding: .utf8)
        #expect {
            try WorldDataset.read(directory)
        } throws: { error in
            (error as? LocatedError)?.line == 2 && "\(error)".contains("metadata")
        }
    }

    private func isSyllabic(_ word: String) -> Bool { NameSyllables.segment(word) != nil }
}

@Suite struct WorldOracleTests {
    @Test func oraclePicksTheHopTheQueryNames() throws {
        let world = try World.generate(defaultConfig(seed: 19))
        let q = try #require(world.test.first { $0.hops == 3 })
        let (chain, passages) = (q.metadata.entityChain, q.metadata.supportingPassages)
        #expect(q.oraclePassage(for: q.question) == passages[0])
        #expect(q.oraclePassage(for: "who is \(chain[1].uppercased())") == passages[1])
        #expect(q.oraclePassage(for: "\(chain[0]) and \(chain[2])") == passages[2])
        #expect(q.oraclePassage(for: "nothing relevant") == passages[0])
    }

    @Test func hopQuestionsAreTheOneHopQuestionsAlongTheChain() throws {
        let world = try World.generate(defaultConfig(seed: 20))
        let oneHop = Dictionary((world.train + world.test).filter { $0.hops == 1 }.map { ($0.question, $0) },
                                uniquingKeysWith: { a, _ in a })
        let q = try #require(world.train.first { $0.hops == 3 })
        let hops = q.hopQuestions.compactMap { $0 }
        #expect(hops.count == 3)
        #expect(hops[0].contains(q.metadata.entityChain[0]) && hops[2].contains(q.metadata.entityChain[2]))
        // Where a hop's question is in the dataset as a 1-hop question, it has the same answer.
        for (hop, text) in hops.enumerated() {
            if let single = oneHop[text] { #expect(single.goldenAnswers[0] == q.metadata.entityChain[hop + 1]) }
        }
        #expect(q.hopQuestions.count == q.hops)
    }
}
