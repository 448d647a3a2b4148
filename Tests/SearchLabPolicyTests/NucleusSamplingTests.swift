// The nucleus shortcut (sort only the likely candidates) must draw exactly what sorting the
// whole vocabulary draws.
import Foundation
@testable import SearchLabPolicy
import SearchLabCore
import Testing

struct NucleusSamplingTests {
    /// The original rule: sort every id by weight (ties by id), keep the prefix holding topP.
    static func fullSortDraw(_ logits: [Float], topP: Float, temperature: Float, u: Double) -> Int {
        let z = logits.map { Double($0) / Double(temperature) }
        let maxz = z.max()!
        let weights = z.map { exp($0 - maxz) }
        let total = weights.reduce(0, +)
        var order = Array(z.indices)
        order.sort { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
        var mass = 0.0, keep = 0
        while keep < order.count, mass < Double(topP) * total { mass += weights[order[keep]]; keep += 1 }
        order = Array(order.prefix(max(keep, 1)))
        var target = u * order.reduce(0.0) { $0 + weights[$1] }, chosen = order.last!
        for i in order { target -= weights[i]; if target < 0 { chosen = i; break } }
        return chosen
    }

    @Test func shortcutDrawsWhatAFullSortDraws() {
        var random = RandomStream(seed: 7, purpose: "test.nucleus")
        for trial in 0..<400 {
            let vocab = [5, 64, 4096][trial % 3]
            // Peaked, flat and tied distributions.
            let sharpness = [0.5, 3.0, 12.0][trial % 3 == 0 ? 0 : (trial / 3) % 3]
            var logits = (0..<vocab).map { _ in Float(random.nextUnitDouble() * sharpness) }
            if trial % 7 == 0 { logits = logits.map { ($0 * 2).rounded() / 2 } }
            let topP = Float([0.5, 0.9, 0.95, 0.999][trial % 4])
            let temperature: Float = trial % 5 == 0 ? 0.7 : 1
            let u = random.nextUnitDouble()
            let settings = SamplingSettings(temperature: temperature, topP: topP)
            let (token, _) = Sampler.sample(logits, settings: settings, uniform: u)
            #expect(token == Self.fullSortDraw(logits, topP: topP, temperature: temperature, u: u), "trial \(trial)")
        }
    }
}
