// SearchLabServer: a Search-R1-compatible `POST /retrieve` server on Hummingbird.

/// Namespace of the server layer.
public enum RetrievalServer {}
