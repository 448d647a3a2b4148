// SearchLabStore: the run database (GRDB, frozen migrations) — runs, steps, metrics,
// trajectories, turns, documents, checkpoints.

/// Namespace of the store layer.
public enum Store {}
