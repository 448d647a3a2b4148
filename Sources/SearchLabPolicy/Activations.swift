// The buffers one forward pass fills and one backward pass reads, sized for (B, T) and reused
// for any smaller batch: rollout micro-batches change length every call, and fresh buffers
// each time cost more in page faults than the attention softmax.
import SearchLabTensor

/// Forward activations (cached for backward) plus the few gradient scratch buffers that
/// backward reuses layer after layer. Per-layer buffers are stacked: layer l's slice
/// starts at `l · B·T·width`.
final class Activations {
    /// The batch shape of the current pass; offsets into every buffer are computed from it.
    private(set) var b: Int, t: Int
    /// The largest B·T and B·T² the buffers hold.
    let capacity: Int, attentionCapacity: Int
    let encoded: FloatBuffer       // (B, T, C)
    let ln1: FloatBuffer           // (L, B, T, C)
    let ln1Rstd: FloatBuffer       // (L, B, T)
    let qkv: FloatBuffer           // (L, B, T, 3C)
    let atty: FloatBuffer          // (L, B, T, C)
    let att: FloatBuffer           // (L, B, NH, T, T)
    let res2: FloatBuffer          // (L, B, T, C)
    let ln2: FloatBuffer           // (L, B, T, C)
    let ln2Rstd: FloatBuffer       // (L, B, T)
    let fch: FloatBuffer           // (L, B, T, 4C)
    let fchGelu: FloatBuffer       // (L, B, T, 4C)
    let res3: FloatBuffer          // (L, B, T, C)
    let lnf: FloatBuffer           // (B, T, C)
    let lnfRstd: FloatBuffer       // (B, T)
    let logits: FloatBuffer        // (B, T, V)
    let logProbs: FloatBuffer      // (B, T)
    let entropies: FloatBuffer     // (B, T)
    let lse: FloatBuffer           // (B, T): log Σ exp(logits), reused by backward
    let values: FloatBuffer        // (B, T)
    let scratch: FloatBuffer       // (B, T, C): attention/MLP projection outputs
    // backward scratch
    let dres: FloatBuffer          // (B, T, C)
    let dln: FloatBuffer           // (B, T, C)
    let dqkv: FloatBuffer          // (B, T, 3C)
    let datty: FloatBuffer         // (B, T, C)
    let dfch: FloatBuffer          // (B, T, 4C)
    let dfchGelu: FloatBuffer      // (B, T, 4C)
    let dlogits: FloatBuffer       // (B, T, V)
    /// Whether logProbs/entropies/lse belong to the cached logits (set by `forward`).
    var scored = false
    var tokens: [Int32] = [], targets: [Int32] = [], positions: [Int32] = [], valid: [Bool] = []

    /// Buffers for `b` rows of up to `reserved` ≥ `t` positions, laid out as (b, t).
    init(config: TransformerConfig, b: Int, t: Int, reserved: Int) {
        precondition(reserved >= t, "reserve at least the first pass's length")
        self.b = b
        self.t = t
        capacity = b * reserved
        attentionCapacity = b * reserved * reserved
        let n = capacity, c = config.width, l = config.depth, v = config.vocabSize
        encoded = FloatBuffer(count: n * c)
        ln1 = FloatBuffer(count: l * n * c)
        ln1Rstd = FloatBuffer(count: l * n)
        qkv = FloatBuffer(count: l * n * 3 * c)
        atty = FloatBuffer(count: l * n * c)
        att = FloatBuffer(count: l * config.heads * attentionCapacity)
        res2 = FloatBuffer(count: l * n * c)
        ln2 = FloatBuffer(count: l * n * c)
        ln2Rstd = FloatBuffer(count: l * n)
        fch = FloatBuffer(count: l * n * 4 * c)
        fchGelu = FloatBuffer(count: l * n * 4 * c)
        res3 = FloatBuffer(count: l * n * c)
        lnf = FloatBuffer(count: n * c)
        lnfRstd = FloatBuffer(count: n)
        logits = FloatBuffer(count: n * v)
        logProbs = FloatBuffer(count: n)
        entropies = FloatBuffer(count: n)
        lse = FloatBuffer(count: n)
        values = FloatBuffer(count: n)
        scratch = FloatBuffer(count: n * c)
        dres = FloatBuffer(count: n * c)
        dln = FloatBuffer(count: n * c)
        dqkv = FloatBuffer(count: n * 3 * c)
        datty = FloatBuffer(count: n * c)
        dfch = FloatBuffer(count: n * 4 * c)
        dfchGelu = FloatBuffer(count: n * 4 * c)
        dlogits = FloatBuffer(count: n * v)
    }

    /// Whether a (b, t) pass fits in these buffers.
    func fits(b: Int, t: Int) -> Bool { b * t <= capacity && b * t * t <= attentionCapacity }

    /// Lays the next pass out as (b, t); the caller has checked ``fits(b:t:)``.
    func reshape(b: Int, t: Int) {
        precondition(fits(b: b, t: t), "activations hold at most \(capacity) positions")
        self.b = b
        self.t = t
    }
}
