// SearchLabWorld: the seeded synthetic world — invented entities, typed relations,
// wiki-style passages with distractors, and multi-hop questions in FlashRAG form.

/// Namespace of the world layer.
public enum World {}
