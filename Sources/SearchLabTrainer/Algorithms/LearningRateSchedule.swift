// The learning-rate schedules of verl's actor and critic (`get_constant_schedule_with_warmup`,
// `get_cosine_schedule_with_warmup`).
import Foundation

/// lr(step) = base·multiplier(step), where `step` counts the scheduler steps already taken
/// (verl steps once per training step, after the update — so with warm-up the first update
/// runs at lr 0).
public struct LearningRateSchedule: Hashable, Sendable {
    /// `optim.warmup_style`.
    public enum Style: String, NamedChoice, Codable {
        case constant
        case cosine
        public static let choiceDescription = "warm-up style"
    }

    public var style: Style
    /// Steps of linear warm-up from 0.
    public var warmupSteps: Int
    /// `trainer.total_training_steps`.
    public var totalSteps: Int
    /// Floor of the cosine decay, as a fraction of the base lr.
    public var minLRRatio: Double

    public init(style: Style, warmupSteps: Int, totalSteps: Int, minLRRatio: Double = 0) {
        self.style = style
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minLRRatio = minLRRatio
    }

    /// The factor applied to the base learning rate at `step`.
    public func multiplier(step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        guard style == .cosine else { return 1 }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        let x = cos(Double.pi * progress)
        return max(0, x * (1 - minLRRatio) * 0.5 + (1 + minLRRatio) * 0.5)
    }
}
