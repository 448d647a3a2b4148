// SearchLabEngines: every search engine behind `SearchEngine` — bm25, random, empty,
// oracle, http, recorded — and the SQLite retrieval log that records and replays them.

/// Namespace of the engines layer.
public enum Engines {}
