// Which supporting passage a search query is after: the oracle engine's choice.
import Foundation

extension WorldQuestion {
    /// The supporting passage an oracle should rank first for `query`: the passage of the
    /// last hop whose subject entity the query names (case-insensitive), or the first
    /// hop's passage when it names none. A query naming an intermediate entity therefore
    /// gets that hop's passage, as a perfect retriever would return it.
    public func oraclePassage(for query: String) -> String {
        let text = query.lowercased()
        let chain = metadata.entityChain
        for hop in metadata.supportingPassages.indices.reversed() where text.contains(chain[hop].lowercased()) {
            return metadata.supportingPassages[hop]
        }
        return metadata.supportingPassages[0]
    }
}

extension WorldQuestion {
    /// The one-hop question each hop answers, in order ("where was X born?", then "in which
    /// country is Y located?"): natural search queries for a scripted demonstration agent.
    /// Relations this version does not know give `nil`.
    public var hopQuestions: [String?] {
        zip(metadata.relationChain, metadata.entityChain).map { name, subject in
            Relation(rawValue: name).map { Relation.question(chain: [$0], about: subject) }
        }
    }
}
