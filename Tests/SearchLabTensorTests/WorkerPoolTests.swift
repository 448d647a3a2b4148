// The worker pool's fixed job assignment: what makes data-parallel sums reproducible.
import Foundation
import SearchLabTensor
import Testing

struct WorkerPoolTests {
    @Test func jobJRunsOnWorkerJModCountInIncreasingOrder() {
        let pool = WorkerPool(count: 3)
        let lock = NSLock()
        var seen: [[Int]] = [[], [], []]
        pool.run(jobs: 11) { worker, job in
            lock.withLock { seen[worker].append(job) }
        }
        #expect(seen == [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]])
    }

    @Test func mapReturnsResultsInJobOrder() {
        for count in 1...4 {
            let pool = WorkerPool(count: count)
            #expect(pool.map(jobs: 9) { worker, job in "\(job)@\(worker)" } == (0..<9).map { "\($0)@\($0 % count)" })
            #expect(pool.map(jobs: 0) { _, job in job }.isEmpty)
        }
    }

    @Test func shardsCoverTheRangeInNearlyEqualContiguousParts() {
        let pool = WorkerPool(count: 3)
        #expect(pool.shards(of: 10) == [0..<4, 4..<7, 7..<10])
        #expect(pool.shards(of: 2) == [0..<1, 1..<2])
        #expect(pool.shards(of: 0).isEmpty)
        #expect(WorkerPool(count: 1).shards(of: 5) == [0..<5])
    }
}
