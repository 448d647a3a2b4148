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
