// Deterministic SVG line plots for notebooks and the HTML report: no fonts to embed, no
// scripts, every number formatted the same way on every machine.
import Foundation

/// A named series of (x, y) points.
public struct PlotSeries: Hashable, Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]

    public init(name: String, points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }

    public static func == (a: PlotSeries, b: PlotSeries) -> Bool {
        a.name == b.name && a.points.elementsEqual(b.points) { $0.x == $1.x && $0.y == $1.y }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        for p in points { hasher.combine(p.x); hasher.combine(p.y) }
    }
}

/// A line chart rendered to a self-contained SVG string.
public struct SVGLinePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    /// A range the y axis always covers, whatever the data (0…1 for rates such as EM, so a
    /// flat series at 0 is drawn at the bottom of a 0–1 axis, not in the middle of −0.6…0.6).
    public var yDomain: ClosedRange<Double>?
    /// Horizontal reference levels drawn dashed, with their names (e.g. the base policy's EM).
    public var references: [(name: String, y: Double)] = []
    public var width = 560.0
    public var height = 300.0

    /// A colour-blind-safe palette (Okabe–Ito), cycled by series index.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries], yDomain: ClosedRange<Double>? = nil,
                references: [(name: String, y: Double)] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yDomain = yDomain
        self.references = references
    }

    struct Frame { var left = 56.0, right = 16.0, top = 30.0, bottom = 42.0 }

    /// The SVG document. All text is XML-escaped.
    public func render() -> String {
        let frame = Frame()
        let legend = series.count + references.count > 1
        let plotW = width - frame.left - frame.right - (legend ? 110 : 0)
        let plotH = height - frame.top - frame.bottom
        let xs = series.flatMap { $0.points.map(\.x) }
        var ys = series.flatMap { $0.points.map(\.y) } + references.map(\.y)
        if let yDomain { ys += [yDomain.lowerBound, yDomain.upperBound] }
        let xTicks = NiceScale(min: xs.min() ?? 0, max: xs.max() ?? 1)
        let yTicks = NiceScale(min: ys.min() ?? 0, max: ys.max() ?? 1)
        func px(_ x: Double) -> Double { frame.left + (x - xTicks.lower) / xTicks.span * plotW }
        func py(_ y: Double) -> Double { frame.top + plotH - (y - yTicks.lower) / yTicks.span * plotH }

        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(f(width))" height="\##(f(height))" viewBox="0 0 \##(f(width)) \##(f(height))" font-family="sans-serif" font-size="11">"##
        svg += ##"<title>\##(XMLText.escape(title))</title>"##
        svg += ##"<rect width="100%" height="100%" fill="white"/>"##
        svg += ##"<text x="\##(f(width / 2))" y="18" text-anchor="middle" font-size="13">\##(XMLText.escape(title))</text>"##
        for t in yTicks.ticks {
            svg += ##"<line x1="\##(f(frame.left))" x2="\##(f(frame.left + plotW))" y1="\##(f(py(t)))" y2="\##(f(py(t)))" stroke="#e0e0e0"/>"##
            svg += ##"<text x="\##(f(frame.left - 6))" y="\##(f(py(t) + 4))" text-anchor="end">\##(NiceScale.label(t))</text>"##
        }
        for t in xTicks.ticks {
            svg += ##"<text x="\##(f(px(t)))" y="\##(f(frame.top + plotH + 16))" text-anchor="middle">\##(NiceScale.label(t))</text>"##
        }
        svg += ##"<rect x="\##(f(frame.left))" y="\##(f(frame.top))" width="\##(f(plotW))" height="\##(f(plotH))" fill="none" stroke="#444"/>"##
        svg += ##"<text x="\##(f(frame.left + plotW / 2))" y="\##(f(height - 8))" text-anchor="middle">\##(XMLText.escape(xLabel))</text>"##
        svg += ##"<text transform="translate(14 \##(f(frame.top + plotH / 2))) rotate(-90)" text-anchor="middle">\##(XMLText.escape(yLabel))</text>"##
        for (i, s) in series.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += ##"<polyline class="series" fill="none" stroke="\##(colour)" stroke-width="1.8" points="\##(path)"><title>\##(XMLText.escape(s.name))</title></polyline>"##
            if s.points.count == 1, let p = s.points.first {
                svg += ##"<circle cx="\##(f(px(p.x)))" cy="\##(f(py(p.y)))" r="3" fill="\##(colour)"/>"##
            }
            if legend {
                let ly = frame.top + 12 + Double(i) * 16
                let lx = frame.left + plotW + 12
                svg += ##"<line x1="\##(f(lx))" x2="\##(f(lx + 18))" y1="\##(f(ly - 4))" y2="\##(f(ly - 4))" stroke="\##(colour)" stroke-width="2"/>"##
                svg += ##"<text x="\##(f(lx + 22))" y="\##(f(ly))">\##(XMLText.escape(s.name))</text>"##
            }
        }
        for (k, r) in references.enumerated() where !xs.isEmpty {
            let y = f(py(r.y))
            svg += ##"<line class="reference" x1="\##(f(frame.left))" x2="\##(f(frame.left + plotW))" y1="\##(y)" y2="\##(y)" stroke="#555" stroke-width="1.4" stroke-dasharray="6 4"><title>\##(XMLText.escape(r.name))</title></line>"##
            if legend {
                let ly = frame.top + 12 + Double(series.count + k) * 16
                let lx = frame.left + plotW + 12
                svg += ##"<line x1="\##(f(lx))" x2="\##(f(lx + 18))" y1="\##(f(ly - 4))" y2="\##(f(ly - 4))" stroke="#555" stroke-width="1.4" stroke-dasharray="6 4"/>"##
                svg += ##"<text x="\##(f(lx + 22))" y="\##(f(ly))">\##(XMLText.escape(r.name))</text>"##
            }
        }
        if xs.isEmpty {
            svg += ##"<text x="\##(f(frame.left + plotW / 2))" y="\##(f(frame.top + plotH / 2))" text-anchor="middle" fill="#888">no data</text>"##
        }
        return svg + "</svg>"
    }

    /// Fixed two-decimal coordinates keep the bytes identical across platforms.
    func f(_ v: Double) -> String { NiceScale.fixed(v, decimals: 2) }
}

/// "Nice" axis bounds and ticks (1, 2, 5 × 10ⁿ steps).
struct NiceScale {
    let lower: Double, upper: Double, step: Double

    init(min lo: Double, max hi: Double, targetTicks: Int = 5) {
        var lo = lo, hi = hi
        // A flat series: at 0 the axis is 0…1 (a rate that has not moved yet), else it spans
        // half the value either side, so it never crosses zero where the data does not.
        if lo == hi {
            if lo == 0 { hi = 1 } else { let pad = abs(lo) / 2; lo -= pad; hi += pad }
        }
        let raw = (hi - lo) / Double(targetTicks)
        let magnitude = pow10(floor(log10(raw)))
        let fraction = raw / magnitude
        let nice = fraction <= 1 ? 1.0 : fraction <= 2 ? 2.0 : fraction <= 5 ? 5.0 : 10.0
        step = nice * magnitude
        lower = floor(lo / step) * step
        upper = ceil(hi / step) * step
    }

    var span: Double { upper - lower }
    var ticks: [Double] {
        let n = Int((span / step).rounded())
        return (0...n).map { lower + Double($0) * step }
    }

    /// A tick label: up to 4 significant decimals, trailing zeros dropped.
    static func label(_ v: Double) -> String {
        var s = fixed(v, decimals: 4)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    /// `v` rounded half away from zero to `decimals` places, printed without exponent.
    static func fixed(_ v: Double, decimals: Int) -> String {
        let scale = pow10(Double(decimals))
        let scaled = (abs(v) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return String(Int(v)) }
        let whole = Int(scaled) / Int(scale), frac = Int(scaled) % Int(scale)
        let sign = v < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fracText = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fracText.count) + fracText
    }
}

func pow10(_ e: Double) -> Double {
    var r = 1.0
    let n = Int(e)
    if n >= 0 { for _ in 0..<n { r *= 10 } } else { for _ in 0..<(-n) { r /= 10 } }
    return r
}

/// XML/HTML text escaping for element content and attribute values.
public enum XMLText {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in XML 1.0; show them as U+FFFD.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
