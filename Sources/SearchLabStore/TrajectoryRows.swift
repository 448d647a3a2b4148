// Reading one trajectory back from its rows (the inverse of `StoreWriter.insert`).
//
// `trajectory_text.canonical_json`, when present (rows written before schema v3, or a
// trajectory the rows cannot represent), is the whole trajectory; otherwise the trajectory
// is put together from `trajectory`, `trajectory_text`, `turn` and `retrieved_document`,
// with the texts left out at write time rebuilt by `RowLayout`.
import Foundation
import GRDB
import SearchLabCore

enum TrajectoryRows {
    /// The trajectory stored under `record`. - Throws: ``SearchLabError`` when a row is missing
    /// or holds JSON that does not decode (a damaged database).
    static func trajectory(_ db: Database, record: TrajectoryRecord) throws -> Trajectory {
        let id = record.id ?? 0
        guard let text = try Row.fetchOne(db, sql: """
            SELECT prompt, trailing, malformations_json, canonical_json FROM trajectory_text WHERE trajectory_id = ?
            """, arguments: [id]) else { throw SearchLabError("no trajectory #\(id) in the database") }
        if let json: String = text["canonical_json"] {
            return try JSONDecoder().decode(Trajectory.self, from: Data(json.utf8))
        }
        let question = Question(id: record.questionID, dataSource: record.dataSource, text: record.question,
                                goldenAnswers: try decode([String].self, record.goldenAnswersJSON),
                                groupID: record.groupID, sampleIndex: record.sampleIndex)
        let outcome = Outcome(extractedAnswer: record.extractedAnswer, exactMatch: record.exactMatch,
                              formatValid: record.formatValid, retrievalHit: record.retrievalHit, reward: record.reward,
                              searchCount: record.searchCount, validActionCount: record.validActionCount,
                              status: try enumValue(Outcome.Status.self, record.status))
        let malformations: String? = text["malformations_json"]
        return Trajectory(question: question, prompt: text["prompt"], turns: try turns(db, trajectoryID: id),
                          trailing: text["trailing"], outcome: outcome,
                          provenance: try record.provenanceJSON.map { try decode(Provenance.self, $0) },
                          malformations: try malformations.map { try decode([Malformation].self, $0) } ?? [])
    }

    static func turns(_ db: Database, trajectoryID id: Int64) throws -> [Turn] {
        var documents: [Int: [RetrievedDocument]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT turn_index, rank, doc_id, title, text, score FROM retrieved_document
            WHERE trajectory_id = ? ORDER BY turn_index, rank
            """, arguments: [id]) {
            documents[row["turn_index"], default: []].append(RetrievedDocument(
                id: row["doc_id"], title: row["title"], text: row["text"], score: row["score"], rank: row["rank"]))
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM turn WHERE trajectory_id = ? ORDER BY turn_index", arguments: [id]).map { row in
            let index: Int = row["turn_index"], text: String = row["text"]
            var observation: Observation?
            if let kind: String = row["observation_kind"] {
                observation = RowLayout.observation(kind: try enumValue(Observation.Kind.self, kind), text: row["observation_text"],
                                                    documents: documents[index] ?? [], truncated: row["observation_truncated"])
            }
            var tokens: TokenCounts?
            if let generated: Int = row["generated_tokens"], let kept: Int = row["kept_tokens"], let shown: Int = row["observation_tokens"] {
                tokens = TokenCounts(generated: generated, kept: kept, observation: shown)
            }
            let actionContent: String? = row["action_content"]
            return Turn(index: index, rawGeneration: row["raw_generation"] ?? text, text: text,
                        action: Action(kind: try enumValue(Action.Kind.self, row["action_kind"]), content: actionContent),
                        observation: observation, tokens: tokens,
                        malformations: try decode([Malformation].self, row["malformations_json"]))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(json.utf8))
        } catch {
            throw SearchLabError("a stored JSON column does not decode as \(type); the database is damaged")
        }
    }

    static func enumValue<T: RawRepresentable>(_ type: T.Type, _ raw: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw SearchLabError("a stored value \"\(raw)\" is not a \(type); the database is damaged") }
        return value
    }
}
