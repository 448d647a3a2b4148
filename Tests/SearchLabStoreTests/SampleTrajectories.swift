// Trajectories built the way SearchLab's rollout loop builds them: prompt, turns with token
// counts and ranked documents with ids and scores, provenance.
import SearchLabCore

enum SampleTrajectories {
    static func document(_ id: String, _ title: String, _ text: String, rank: Int, score: Double) -> RetrievedDocument {
        RetrievedDocument(id: id, title: "\"\(title)\"", text: text, score: score, rank: rank)
    }

    /// A two-turn trajectory: search, then answer.
    static func searchThenAnswer(question: String = "who wrote the origin of species",
                                 answer: String = "Charles Darwin", sample: Int = 0, step: Int = 0) throws -> Trajectory {
        let docs = [
            document("d1", "On the Origin of Species", "A book by Charles Darwin published in 1859.", rank: 1, score: 12.5),
            document("d2", "Alfred Russel Wallace", "A naturalist who proposed natural selection.", rank: 2, score: 9.25),
        ]
        let turns = [
            Turn(index: 0, rawGeneration: "<think>I should look it up.</think>\n<search> origin of species author </search>trailing",
                 text: "<think>I should look it up.</think>\n<search> origin of species author </search>",
                 action: .search("origin of species author"), observation: SearchR1Format.informationObservation(docs),
                 tokens: TokenCounts(generated: 21, kept: 19, observation: 48)),
            Turn(index: 1, rawGeneration: "<think>It is Darwin.</think>\n<answer> \(answer) </answer>",
                 text: "<think>It is Darwin.</think>\n<answer> \(answer) </answer>",
                 action: .answer(answer), observation: nil, tokens: TokenCounts(generated: 14, kept: 14, observation: 0)),
        ]
        let question = Question(id: "q-darwin", dataSource: "sim-2hop", text: question + "?",
                                goldenAnswers: ["Charles Darwin"], sampleIndex: sample)
        let outcome = SequenceParser.makeOutcome(turns: turns, goldens: question.goldenAnswers, scoring: .init())
        let sampling = SamplingSettings(temperature: 1, topP: 1, maxTokensPerTurn: 64, maxTurns: 4,
                                        maxObservationTokens: 128, contextLimit: 1024)
        return Trajectory(question: question, prompt: try SearchR1Format.prompt(question: question.text), turns: turns,
                          trailing: "<|endoftext|>", outcome: outcome,
                          provenance: Provenance(seed: 0xFFFF_FFFF_FFFF_FFF0, checkpointDigest: "abc123",
                                                 sampling: sampling, engineFingerprint: "bm25:test", step: step))
    }
}
