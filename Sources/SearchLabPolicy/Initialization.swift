// Seeded GPT-2 style initialisation.
import SearchLabCore

extension Transformer {
    /// Fills the weights from `RandomStream(seed:, purpose: "policy.init", tensor index)`:
    /// matrices ~ N(0, 0.02²) (residual projections scaled by 1/√(2L), as in GPT-2),
    /// biases 0, norm weights 1. Each tensor has its own stream, so adding a value head
    /// leaves the other tensors' values unchanged.
    public func initialize(seed: UInt64) {
        let residualScale = 1 / Double(2 * config.depth).squareRoot()
        for (index, view) in layout.tensors.enumerated() {
            let out = parameters.pointer + view.offset
            if view.name.hasSuffix(".bias") {
                for i in 0..<view.count { out[i] = 0 }
            } else if view.shape.count == 1 {
                for i in 0..<view.count { out[i] = 1 }
            } else {
                var rng = RandomStream(seed: seed, purpose: "policy.init", UInt64(index))
                let std = view.name.hasSuffix("c_proj.weight") ? 0.02 * residualScale : 0.02
                for i in 0..<view.count { out[i] = Float(rng.nextGaussian() * std) }
            }
        }
        // a zero value head starts the critic at V = 0 instead of noise
        if config.valueHead { parameters.pointer.advanced(by: layout["value_head.weight"].offset).update(repeating: 0, count: config.width) }
    }
}
