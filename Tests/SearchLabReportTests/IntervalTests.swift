import Foundation
import SearchLabCore
import SearchLabReport
import SearchLabTestSupport
import Testing

/// Student t quantiles and mean ± 95% intervals against SciPy's (fixtures/golden/student_t.json,
/// written by scripts/reference/student_t_reference.py).
struct IntervalTests {
    struct Golden: Decodable {
        struct Quantile: Decodable { var p: Double; var df: Double; var t: Double }
        struct Interval: Decodable { var values: [Double]; var mean: Double; var half_width: Double? }
        var quantiles: [Quantile]
        var intervals: [Interval]
    }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(try Fixtures.text("golden/student_t.json").utf8))
    }

    @Test func quantilesMatchSciPyWithin1e10() throws {
        let golden = try Self.golden()
        #expect(golden.quantiles.count > 100)
        for q in golden.quantiles {
            let t = StudentT.quantile(q.p, degrees: q.df)
            #expect(abs(t - q.t) <= 1e-10 * max(1, abs(q.t)), "p \(q.p) df \(q.df): \(t) vs \(q.t)")
        }
    }

    @Test func intervalsMatchSciPyWithin1e10() throws {
        for g in try Self.golden().intervals {
            let interval = try #require(MeanInterval(g.values))
            #expect(abs(interval.mean - g.mean) <= 1e-12)
            if let expected = g.half_width {
                let half = try #require(interval.halfWidth)
                #expect(abs(half - expected) <= 1e-10 * max(1, expected), "\(g.values)")
            } else {
                #expect(interval.halfWidth == nil)
            }
        }
    }

    @Test func textShowsThreeDecimalsAndNoIntervalForOneValue() throws {
        #expect(try #require(MeanInterval([0.41, 0.38, 0.45])).text == "0.413 ± 0.087")
        #expect(try #require(MeanInterval([0.2])).text == "0.200")
        #expect(MeanInterval([]) == nil)
    }
}
