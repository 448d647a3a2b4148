// The metric plots every export shows, defined once for the notebook and the HTML report.

/// One plot: which metrics of a run it draws.
public struct PlotSpec: Sendable {
    /// A stable id (names notebook cells and HTML anchors).
    public var id: String
    public var title: String
    public var yLabel: String
    /// What the plot shows and how to read it (markdown-safe prose, no user text).
    public var explanation: String
    /// Exact metric names, then every metric under each prefix.
    public var metrics: [String]
    public var prefixes: [String] = []
    /// Display names for some metrics.
    public var labels: [String: String] = [:]
    /// Metrics found under a prefix are shown as this text + the rest of their name
    /// (`em/sim-2hop` → `EM sim-2hop`), short enough for the legend.
    public var prefixLabel = ""
    /// A range the y axis always covers (0…1 for rates).
    public var yDomain: ClosedRange<Double>? = nil
    /// A metric whose value before training is drawn as the base policy's level (a dashed
    /// line), when the run validated before its first update.
    public var baseLevel: String? = nil

    /// The metrics of `run` this plot draws, in order.
    public func names(in run: RunData) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for m in metrics + prefixes.flatMap(run.metrics(prefix:)) where run.curves[m] != nil && seen.insert(m).inserted { out.append(m) }
        return out
    }

    /// The plot of `run` as an SVG line chart.
    public func plot(_ run: RunData) -> SVGLinePlot {
        let level = baseLevel.flatMap(run.valueBeforeTraining).map { [(name: "base policy", y: $0)] } ?? []
        return SVGLinePlot(title: title, xLabel: "step", yLabel: yLabel, series: run.series(names(in: run), label: label),
                           yDomain: yDomain, references: level)
    }

    /// The legend text of a metric.
    public func label(_ metric: String) -> String {
        if let label = labels[metric] { return label }
        if !metrics.contains(metric), let prefix = prefixes.first(where: metric.hasPrefix) {
            return prefixLabel + metric.dropFirst(prefix.count)
        }
        return metric
    }
}

/// The plots of the notebook and the HTML report, in the order they appear.
public enum StandardPlots {
    /// One plot per section: reward/EM, test EM, searches, length, KL, entropy, clip fraction.
    public static let all: [PlotSpec] = [
        PlotSpec(id: "reward-em", title: "Training reward and exact match", yLabel: "mean per trajectory",
                 explanation: "Mean reward and exact match (EM) of the training rollouts at each step, overall and per data source. Rising curves mean the policy answers more questions correctly.",
                 metrics: ["reward/mean", "em/mean"], prefixes: ["em/"], labels: ["reward/mean": "reward", "em/mean": "EM"],
                 prefixLabel: "EM ", yDomain: 0...1),
        PlotSpec(id: "val-em", title: "Test exact match (greedy)", yLabel: "EM",
                 explanation: "Exact match on the held-out test questions with greedy decoding, every `trainer.test_freq` steps, overall and per data source (Search-R1's `val/test_score/<data_source>`). The dashed line is the base policy's overall EM, measured before the first update (`trainer.val_before_train`): the curve above it is what training added.",
                 metrics: ["val/em"], prefixes: ["val/em/"], labels: ["val/em": "all"], yDomain: 0...1, baseLevel: "val/em"),
        PlotSpec(id: "searches", title: "Search calls per trajectory", yLabel: "searches",
                 explanation: "Searches answered with information per trajectory (`env/number_of_valid_search`), overall and per data source. Multi-hop questions need more searches.",
                 metrics: ["env/number_of_valid_search"], prefixes: ["env/number_of_valid_search/"],
                 labels: ["env/number_of_valid_search": "all"]),
        PlotSpec(id: "length", title: "Response length", yLabel: "tokens",
                 explanation: "Mean response length with the retrieved information tokens and without them (only what the policy generated; with state masking the loss sees only these).",
                 metrics: ["response_length/mean", "response_length/generated_mean"],
                 labels: ["response_length/mean": "with information", "response_length/generated_mean": "generated only"]),
        PlotSpec(id: "kl", title: "KL to the reference policy", yLabel: "KL",
                 explanation: "How far the policy moved from the reference: the KL loss term (GRPO) or the KL folded into the reward (PPO), and the PPO approximate KL between old and new policy.",
                 metrics: ["actor/kl_loss", "critic/kl", "actor/ppo_kl"]),
        PlotSpec(id: "entropy", title: "Policy entropy", yLabel: "entropy",
                 explanation: "Mean token entropy of the policy on its own responses; a collapse towards 0 means it stopped exploring.",
                 metrics: ["actor/entropy_loss"]),
        PlotSpec(id: "clip", title: "Clip fraction", yLabel: "fraction of tokens",
                 explanation: "Fraction of tokens whose probability ratio hit the PPO clip range; large values mean updates too big for the clip to allow.",
                 metrics: ["actor/pg_clipfrac", "actor/pg_clipfrac_lower"]),
    ]

    /// The metrics compared across runs.
    public static let comparison: [(metric: String, title: String)] = [
        ("val/em", "Test EM across runs"), ("reward/mean", "Training reward across runs"),
        ("env/number_of_valid_search", "Searches per trajectory across runs"),
    ]
}
