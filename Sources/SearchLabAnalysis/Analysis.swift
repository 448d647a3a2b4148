// SearchLabAnalysis: replay, diff, search-call counts, and reasoning-search graphs
// rendered through the Graphviz C library.

/// Namespace of the analysis layer.
public enum Analysis {}
