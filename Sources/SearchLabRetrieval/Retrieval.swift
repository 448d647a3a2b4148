// SearchLabRetrieval: BM25 over Search-R1-format corpora — analyzer, inverted index,
// a versioned memory-mappable index file, and top-k search with ties broken by id.

/// Namespace of the retrieval layer.
public enum Retrieval {}
